import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope, scopePrefixOf } from '../auth/region-scope.js';
import { Clock } from '../common/clock.js';
import { Household } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';
import { ItemLevels } from '../ledger/item-levels.service.js';
import { Item, MAX_ESCALATION_LEVEL } from '../ledger/item.entity.js';
import { Region } from '../regions/region.entity.js';

/** A campaign's items in one sub-district, or one village of an officer's sub-district (销号进度). */
export interface SubdistrictProgress {
  regionCode: string;
  name: string;
  total: number;
  closed: number;
  /** Closed after the deadline (逾期销号), among `closed`. */
  closedLate: number;
  /** Not closed (open or in progress), overdue ones included. */
  open: number;
  /** Not closed and past the deadline, as of today in APP_TIMEZONE. */
  overdue: number;
  /** 销号率: closed as a percentage of all items, one decimal; null when there are none. */
  clearanceRate: number | null;
  /** Items not closed, by their level as of today (index 0 … 4): what the item pages show. */
  byLevel: number[];
}

export interface CampaignProgress {
  campaignId: number;
  asOf: string;
  /** `subdistrict` rows for the district; `village` rows for an officer (their sub-district's villages). */
  rowsAre: 'subdistrict' | 'village';
  rows: SubdistrictProgress[];
  totals: Omit<SubdistrictProgress, 'regionCode' | 'name'>;
}

type Raw = Record<string, string | number | null>;

const LEVELS = Array.from({ length: MAX_ESCALATION_LEVEL + 1 }, (_, level) => level);

/** The row of items that lie in no village (an inspection finding about the sub-district itself). */
export const SUBDISTRICT_ITSELF = '街道本级';

export const clearanceRate = (closed: number, total: number): number | null =>
  total === 0 ? null : Math.round((closed / total) * 1000) / 10;

/**
 * How far a campaign has got: one aggregate query. For the district, a row per sub-district the
 * caller may see; for an officer, a row per village of their sub-district that has items, an item
 * placed by its subject's household (items without a household or person subject form the row
 * 街道本级). Levels are the current ones (ItemLevels), as the item pages show them.
 */
@Injectable()
export class ProgressService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly levels: ItemLevels,
  ) {}

  async bySubdistrict(user: AuthUser, campaignId: number): Promise<CampaignProgress> {
    const today = this.clock.today();
    const level = await this.levels.levelSql(this.db.manager, 'i', [campaignId]);
    const byVillage = scopePrefixOf(user)?.length === 9;
    const raw = byVillage
      ? await this.villageRows(user, campaignId, level, today)
      : await this.subdistrictRows(user, campaignId, level, today);
    const rows = raw.map((r): SubdistrictProgress => {
      const n = (key: string) => Number(r[key] ?? 0);
      const code = String(r.code);
      return {
        regionCode: code,
        name: byVillage && code.endsWith('000') ? SUBDISTRICT_ITSELF : String(r.name ?? code),
        total: n('total'),
        closed: n('closed'),
        closedLate: n('closedLate'),
        open: n('open'),
        overdue: n('overdue'),
        clearanceRate: clearanceRate(n('closed'), n('total')),
        byLevel: LEVELS.map((l) => n(`level${l}`)),
      };
    });
    const sum = (key: 'total' | 'closed' | 'closedLate' | 'open' | 'overdue') => rows.reduce((s, r) => s + r[key], 0);
    const totals = {
      total: sum('total'),
      closed: sum('closed'),
      closedLate: sum('closedLate'),
      open: sum('open'),
      overdue: sum('overdue'),
    };
    return {
      campaignId,
      asOf: today,
      rowsAre: byVillage ? 'village' : 'subdistrict',
      rows,
      totals: {
        ...totals,
        clearanceRate: clearanceRate(totals.closed, totals.total),
        byLevel: LEVELS.map((l) => rows.reduce((s, r) => s + r.byLevel[l], 0)),
      },
    };
  }

  /** A row per sub-district the caller may see, with a LEFT JOIN so that one without items has its row. */
  private subdistrictRows(user: AuthUser, campaignId: number, level: string, today: string): Promise<Raw[]> {
    const qb = this.db
      .getRepository(Region)
      .createQueryBuilder('r')
      .leftJoin(Item, 'i', 'i.regionCode = r.code AND i.campaignId = :campaignId', { campaignId })
      .select('r.code', 'code')
      .addSelect('r.name', 'name')
      .where("r.level = 'subdistrict'");
    this.aggregate(qb, level, today);
    applyRegionScope(qb, 'r.code', user);
    return qb.groupBy('r.code').addGroupBy('r.name').orderBy('r.code', 'ASC').getRawMany<Raw>();
  }

  /**
   * An officer's sub-district by village: an item lies where its subject's household is registered
   * (a person's or a household's); one without such a subject in the sub-district itself.
   */
  private async villageRows(user: AuthUser, campaignId: number, level: string, today: string): Promise<Raw[]> {
    const area = 'COALESCE(hp.regionCode, hh.regionCode, i.regionCode)';
    const qb = this.db
      .getRepository(Item)
      .createQueryBuilder('i')
      .leftJoin(Person, 'p', "i.subjectType = 'person' AND p.id = i.subjectId")
      .leftJoin(Household, 'hp', 'hp.id = p.householdId')
      .leftJoin(Household, 'hh', "i.subjectType = 'household' AND hh.id = i.subjectId")
      .select(area, 'code')
      .where('i.campaignId = :campaignId', { campaignId });
    this.aggregate(qb, level, today);
    applyRegionScope(qb, 'i.regionCode', user, undefined, 'subdistrict');
    const rows = await qb.groupBy(area).orderBy(area, 'ASC').getRawMany<Raw>();
    const codes = rows.map((r) => String(r.code));
    const names = codes.length
      ? await this.db.getRepository(Region).find({ select: { code: true, name: true }, where: { code: In(codes) } })
      : [];
    const nameOf = new Map(names.map((r) => [r.code, r.name]));
    return rows.map((r) => ({ ...r, name: nameOf.get(String(r.code)) ?? String(r.code) }));
  }

  /** The counts of a row: items, closed (on time or late), open, overdue, open ones by current level. */
  private aggregate<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, level: string, today: string): void {
    const notClosed = "i.status <> 'closed'";
    qb.addSelect('COUNT(i.id)', 'total')
      .addSelect("SUM(CASE WHEN i.status = 'closed' THEN 1 ELSE 0 END)", 'closed')
      .addSelect("SUM(CASE WHEN i.status = 'closed' AND i.closedOn > i.deadline THEN 1 ELSE 0 END)", 'closedLate')
      .addSelect(`SUM(CASE WHEN ${notClosed} THEN 1 ELSE 0 END)`, 'open')
      .addSelect(`SUM(CASE WHEN ${notClosed} AND i.deadline < :today THEN 1 ELSE 0 END)`, 'overdue')
      .setParameter('today', today);
    for (const l of LEVELS) {
      qb.addSelect(`SUM(CASE WHEN ${notClosed} AND ${level} = ${l} THEN 1 ELSE 0 END)`, `level${l}`);
    }
  }
}
