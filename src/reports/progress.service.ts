import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope } from '../auth/region-scope.js';
import { Clock } from '../common/clock.js';
import { Item, MAX_ESCALATION_LEVEL } from '../ledger/item.entity.js';
import { Region } from '../regions/region.entity.js';

/** A campaign's items in one sub-district (销号进度). */
export interface SubdistrictProgress {
  regionCode: string;
  name: string;
  total: number;
  closed: number;
  /** Not closed (open or in progress), overdue ones included. */
  open: number;
  /** Not closed and past the deadline, as of today in APP_TIMEZONE. */
  overdue: number;
  /** 销号率: closed as a percentage of all items, one decimal; null when there are none. */
  clearanceRate: number | null;
  /** Items not closed, by escalation level (index 0 … 4). */
  byLevel: number[];
}

export interface CampaignProgress {
  campaignId: number;
  asOf: string;
  rows: SubdistrictProgress[];
  totals: Omit<SubdistrictProgress, 'regionCode' | 'name'>;
}

type Raw = Record<string, string | number | null>;

const LEVELS = Array.from({ length: MAX_ESCALATION_LEVEL + 1 }, (_, level) => level);

export const clearanceRate = (closed: number, total: number): number | null =>
  total === 0 ? null : Math.round((closed / total) * 1000) / 10;

/**
 * How far a campaign has got in each sub-district: one aggregate query over the sub-districts the
 * caller may see (an officer: their own), with a LEFT JOIN so that a sub-district without items
 * still has its row.
 */
@Injectable()
export class ProgressService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  async bySubdistrict(user: AuthUser, campaignId: number): Promise<CampaignProgress> {
    const today = this.clock.today();
    const notClosed = "i.status <> 'closed'";
    const qb = this.db
      .getRepository(Region)
      .createQueryBuilder('r')
      .leftJoin(Item, 'i', 'i.regionCode = r.code AND i.campaignId = :campaignId', { campaignId })
      .select('r.code', 'code')
      .addSelect('r.name', 'name')
      .addSelect('COUNT(i.id)', 'total')
      .addSelect("SUM(CASE WHEN i.status = 'closed' THEN 1 ELSE 0 END)", 'closed')
      .addSelect(`SUM(CASE WHEN ${notClosed} THEN 1 ELSE 0 END)`, 'open')
      .addSelect(`SUM(CASE WHEN ${notClosed} AND i.deadline < :today THEN 1 ELSE 0 END)`, 'overdue')
      .where("r.level = 'subdistrict'")
      .setParameter('today', today);
    for (const level of LEVELS) {
      qb.addSelect(`SUM(CASE WHEN ${notClosed} AND i.escalationLevel = ${level} THEN 1 ELSE 0 END)`, `level${level}`);
    }
    applyRegionScope(qb, 'r.code', user);
    const raw = await qb.groupBy('r.code').addGroupBy('r.name').orderBy('r.code', 'ASC').getRawMany<Raw>();

    const rows = raw.map((r): SubdistrictProgress => {
      const n = (key: string) => Number(r[key] ?? 0);
      return {
        regionCode: String(r.code),
        name: String(r.name),
        total: n('total'),
        closed: n('closed'),
        open: n('open'),
        overdue: n('overdue'),
        clearanceRate: clearanceRate(n('closed'), n('total')),
        byLevel: LEVELS.map((level) => n(`level${level}`)),
      };
    });
    const sum = (key: 'total' | 'closed' | 'open' | 'overdue') => rows.reduce((s, r) => s + r[key], 0);
    const totals = { total: sum('total'), closed: sum('closed'), open: sum('open'), overdue: sum('overdue') };
    return {
      campaignId,
      asOf: today,
      rows,
      totals: {
        ...totals,
        clearanceRate: clearanceRate(totals.closed, totals.total),
        byLevel: LEVELS.map((level) => rows.reduce((s, r) => s + r.byLevel[level], 0)),
      },
    };
  }
}
