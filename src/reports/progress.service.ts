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
  /** total = closed + pending + open. */
  total: number;
  /** 已销号. */
  closed: number;
  /** Closed after the deadline (逾期销号), among `closed`. */
  closedLate: number;
  /** 待审核: 销号 requested and awaiting the responsible department's review; neither closed nor open. */
  pending: number;
  /** 未销号: open or in progress (待整改, 整改中), overdue ones included; pending ones not. */
  open: number;
  /**
   * 逾期未销号: not closed and past the deadline as of today in APP_TIMEZONE — open, in progress or
   * pending review (the deadline is for 销号), the items `overdue=true` lists.
   */
  overdue: number;
  /** Pending review and past the deadline, among `pending` and among `overdue`. */
  pendingOverdue: number;
  /** 销号率: closed as a percentage of all items, one decimal (pending ones count as not closed); null when none. */
  clearanceRate: number | null;
  /** Items not closed (pending ones included: they keep escalating), by their level as of today (index 0 … 4). */
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

/** The counts a row sums into the totals. */
const COUNTED = ['total', 'closed', 'closedLate', 'pending', 'open', 'overdue', 'pendingOverdue'] as const;
type Counted = (typeof COUNTED)[number];

const LEVELS = Array.from({ length: MAX_ESCALATION_LEVEL + 1 }, (_, level) => level);

/** The row of items that lie in no village (an inspection finding about the sub-district itself). */
export const SUBDISTRICT_ITSELF = '街道本级';

export const clearanceRate = (closed: number, total: number): number | null =>
  total === 0 ? null : Math.round((closed / total) * 1000) / 10;

/**
 * How far a campaign has got: one aggregate query. An item is closed (已销号, some of them late:
 * 逾期销号), pending review (待审核: 销号 requested, not yet approved) or open (未销号: 待整改 or
 * 整改中); the 销号率 counts only the closed ones (PROGRESS_DEFINITIONS). For the district, a row per sub-district the
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
        pending: n('pending'),
        open: n('open'),
        overdue: n('overdue'),
        pendingOverdue: n('pendingOverdue'),
        clearanceRate: clearanceRate(n('closed'), n('total')),
        byLevel: LEVELS.map((l) => n(`level${l}`)),
      };
    });
    const sum = (key: Counted) => rows.reduce((s, r) => s + r[key], 0);
    const totals = Object.fromEntries(COUNTED.map((key) => [key, sum(key)])) as Record<Counted, number>;
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

  /**
   * The counts of a row: items, closed (on time or late), pending review, open, overdue (pending
   * ones included), the items not closed by current level.
   */
  private aggregate<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, level: string, today: string): void {
    const notClosed = "i.status <> 'closed'";
    const pending = "i.status = 'pending_review'";
    const count = (condition: string, alias: string) =>
      qb.addSelect(`SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`, alias);
    qb.addSelect('COUNT(i.id)', 'total').setParameter('today', today);
    count("i.status = 'closed'", 'closed');
    count("i.status = 'closed' AND i.closedOn > i.deadline", 'closedLate');
    count(pending, 'pending');
    count("i.status IN ('open', 'in_progress')", 'open');
    count(`${notClosed} AND i.deadline < :today`, 'overdue');
    count(`${pending} AND i.deadline < :today`, 'pendingOverdue');
    for (const l of LEVELS) {
      qb.addSelect(`SUM(CASE WHEN ${notClosed} AND ${level} = ${l} THEN 1 ELSE 0 END)`, `level${l}`);
    }
  }
}
