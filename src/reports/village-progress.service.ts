import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope } from '../auth/region-scope.js';
import { Clock } from '../common/clock.js';
import { ITEM_VILLAGE_SQL } from '../ledger/item-search.js';
import { Item } from '../ledger/item.entity.js';
import { Region } from '../regions/region.entity.js';
import { SUBDISTRICT_ITSELF } from './progress.service.js';

/** A campaign's items of one village under one sub-district (哪个村拖后腿). */
export interface VillageProgress {
  /** The sub-district responsible for the items (the street row they add up to). */
  subdistrictCode: string;
  /** The village (村（社区）); the sub-district's own code for its items without a household (街道本级). */
  villageCode: string;
  name: string;
  /** 未销号: not closed, 待审核 included. */
  open: number;
  /** 逾期未销号: not closed and past the deadline. */
  overdue: number;
  /** 已销号. */
  closed: number;
}

/**
 * The per-village table under each sub-district: one grouped query by the item's sub-district and its
 * village (ITEM_VILLAGE_SQL, the placement the list's `villageCode` filter uses), so a sub-district's
 * village rows add up to its street row and each figure is the count of the list it links to.
 */
@Injectable()
export class VillageProgressService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  async byVillage(user: AuthUser, campaignId: number): Promise<VillageProgress[]> {
    const qb = this.db
      .getRepository(Item)
      .createQueryBuilder('i')
      .select('i.regionCode', 'subdistrictCode')
      .addSelect(ITEM_VILLAGE_SQL, 'villageCode')
      .addSelect("SUM(CASE WHEN i.status <> 'closed' THEN 1 ELSE 0 END)", 'open')
      .addSelect("SUM(CASE WHEN i.status <> 'closed' AND i.deadline < :today THEN 1 ELSE 0 END)", 'overdue')
      .addSelect("SUM(CASE WHEN i.status = 'closed' THEN 1 ELSE 0 END)", 'closed')
      .where('i.campaignId = :campaignId', { campaignId })
      .setParameter('today', this.clock.today());
    applyRegionScope(qb, 'i.regionCode', user, undefined, 'subdistrict');
    const rows = await qb
      .groupBy('i.regionCode')
      .addGroupBy(ITEM_VILLAGE_SQL)
      .orderBy('i.regionCode', 'ASC')
      .addOrderBy(ITEM_VILLAGE_SQL, 'ASC')
      .getRawMany<Record<'subdistrictCode' | 'villageCode' | 'open' | 'overdue' | 'closed', string>>();
    const codes = [...new Set(rows.map((r) => r.villageCode))];
    const regions = codes.length
      ? await this.db.getRepository(Region).find({ select: { code: true, name: true }, where: { code: In(codes) } })
      : [];
    const nameOf = new Map(regions.map((r) => [r.code, r.name]));
    return rows.map((r) => ({
      subdistrictCode: r.subdistrictCode,
      villageCode: r.villageCode,
      name: r.villageCode === r.subdistrictCode ? SUBDISTRICT_ITSELF : (nameOf.get(r.villageCode) ?? r.villageCode),
      open: Number(r.open),
      overdue: Number(r.overdue),
      closed: Number(r.closed),
    }));
  }
}
