import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope } from '../auth/region-scope.js';
import { Clock } from '../common/clock.js';
import { Item } from './item.entity.js';

/** A campaign's items by state, within the caller's scope. */
export interface CampaignCounts {
  /** 待整改 and 整改中. */
  open: number;
  /** 待审核: 销号 requested. */
  pending: number;
  closed: number;
  /** Not closed and past their deadline (待审核 ones included). */
  overdue: number;
}

const NONE: CampaignCounts = { open: 0, pending: 0, closed: 0, overdue: 0 };

/** The campaigns page's figures: one grouped query over the items, an officer's sub-district only. */
@Injectable()
export class CampaignFigures {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  async byCampaign(user: AuthUser): Promise<(campaignId: number) => CampaignCounts> {
    const qb = this.db
      .getRepository(Item)
      .createQueryBuilder('i')
      .select('i.campaignId', 'campaignId')
      .addSelect("SUM(CASE WHEN i.status IN ('open', 'in_progress') THEN 1 ELSE 0 END)", 'open')
      .addSelect("SUM(CASE WHEN i.status = 'pending_review' THEN 1 ELSE 0 END)", 'pending')
      .addSelect("SUM(CASE WHEN i.status = 'closed' THEN 1 ELSE 0 END)", 'closed')
      .addSelect("SUM(CASE WHEN i.status <> 'closed' AND i.deadline < :today THEN 1 ELSE 0 END)", 'overdue')
      .setParameter('today', this.clock.today());
    applyRegionScope(qb, 'i.regionCode', user, undefined, 'subdistrict');
    const rows = await qb.groupBy('i.campaignId').getRawMany<Record<keyof CampaignCounts | 'campaignId', unknown>>();
    const counts = new Map(
      rows.map((r) => [
        Number(r.campaignId),
        { open: Number(r.open), pending: Number(r.pending), closed: Number(r.closed), overdue: Number(r.overdue) },
      ]),
    );
    return (campaignId) => counts.get(campaignId) ?? NONE;
  }
}
