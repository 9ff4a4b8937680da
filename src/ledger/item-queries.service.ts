import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope, isInScope } from '../auth/region-scope.js';
import { AppError } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import type { Page } from '../common/pagination.js';
import { onReplica } from '../database/read-replica.js';
import type { ItemFilters, ItemSort, ListItemsQuery } from './dto/list-items.dto.js';
import { EvidenceStore } from './evidence-store.js';
import { type LedgerVerification, withFiles } from './evidence-verification.js';
import { ItemLevels } from './item-levels.service.js';
import { applyItemSearch, ITEM_VILLAGE_SQL } from './item-search.js';
import { Item } from './item.entity.js';
import type { LedgerEntry } from './ledger-entry.entity.js';
import { type ItemDetail, type ItemView, ItemViews } from './item-views.js';
import { LedgerService } from './ledger.service.js';

/** The read side of the 台账: the list, one item with its ledger, and the scoping every look-up goes through. */
@Injectable()
export class ItemQueries {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly views: ItemViews,
    private readonly levels: ItemLevels,
    private readonly evidence: EvidenceStore,
  ) {}

  /**
   * A page by deadline, then id (or by close request: `sort=requested`), and the exact total of the filter (the pages show it as 共 N 条).
   * The page's ids come first, read in order from an index that holds them ((regionCode, deadline),
   * or (regionCode, status, deadline) with a status), so the rows an offset skips are never read;
   * then those rows. The total is counted unless the page shows it (a short page, not past the end).
   */
  async list(user: AuthUser, query: ListItemsQuery): Promise<Page<ItemView>> {
    const sort = query.sort ?? 'deadline';
    const level = sort === 'level' ? await this.levels.levelSql(this.db.manager, 'i') : '';
    const { rows, total } = await onReplica(this.db, await this.filtered(this.db.manager, user, query), async (q) => {
      const ids = (
        await ordered(q.clone().select('i.id', 'id'), sort, level)
          .offset(query.offset)
          .limit(query.pageSize)
          .getRawMany<{ id: number | string }>()
      ).map((r) => Number(r.id));
      const position = new Map(ids.map((id, i) => [id, i]));
      const page =
        ids.length === 0
          ? []
          : (await q.clone().andWhere('i.id IN (:...pageIds)', { pageIds: ids }).getMany()).sort(
              (a, b) => position.get(a.id)! - position.get(b.id)!,
            );
      const shown = ids.length < query.pageSize && (ids.length > 0 || query.offset === 0);
      return { rows: page, total: shown ? query.offset + ids.length : await q.getCount() };
    });
    return {
      items: await this.views.describe(this.db.manager, user, rows),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  async get(user: AuthUser, id: number): Promise<ItemDetail> {
    const item = await this.findInScope(this.db.manager, user, id);
    return this.detail(user, item, await this.ledger.entries(this.db.manager, id));
  }

  /** The item's hash chain, and the evidence files its entries name re-hashed (SPEC §6.2). */
  async verify(user: AuthUser, id: number): Promise<LedgerVerification> {
    const item = await this.findInScope(this.db.manager, user, id);
    const entries = await this.ledger.entries(this.db.manager, id);
    return withFiles(this.evidence, this.ledger.verifyEntries(entries, item), entries);
  }

  /** The answer to a look-up or a change: the item's view and its ledger. */
  detail(user: AuthUser, item: Item, entries: LedgerEntry[]): Promise<ItemDetail> {
    return this.views.detail(user, item, entries);
  }

  /** The list's filters and scoping as a query on `i` (items), for the list and the export. */
  async filtered(em: EntityManager, user: AuthUser, filters: ItemFilters): Promise<SelectQueryBuilder<Item>> {
    const qb = em.createQueryBuilder(Item, 'i');
    applyRegionScope(qb, 'i.regionCode', user, filters.regionCode, 'subdistrict');
    if (filters.status) {
      qb.andWhere('i.status = :status', { status: filters.status });
    }
    if (filters.closed !== undefined) {
      qb.andWhere(filters.closed ? "i.status = 'closed'" : "i.status <> 'closed'");
    }
    if (filters.level !== undefined) {
      const campaigns = filters.campaignId === undefined ? undefined : [filters.campaignId];
      qb.andWhere(`${await this.levels.levelSql(em, 'i', campaigns)} = :currentLevel`, { currentLevel: filters.level });
    }
    if (filters.campaignId !== undefined) {
      qb.andWhere('i.campaignId = :campaignId', { campaignId: filters.campaignId });
    }
    if (filters.category) {
      qb.andWhere('i.category = :category', { category: filters.category });
    }
    if (filters.responsibleDept) {
      qb.andWhere('i.responsibleDept = :dept', { dept: filters.responsibleDept });
    }
    if (filters.escalationLevel !== undefined) {
      qb.andWhere('i.escalationLevel = :level', { level: filters.escalationLevel });
    }
    if (filters.q) {
      applyItemSearch(qb, user, filters.q);
    }
    if (filters.villageCode) {
      qb.andWhere(`${ITEM_VILLAGE_SQL} = :villageCode`, { villageCode: filters.villageCode });
    }
    if (filters.overdue !== undefined) {
      qb.andWhere(
        filters.overdue
          ? "i.deadline < :today AND i.status <> 'closed'"
          : "(i.deadline >= :today OR i.status = 'closed')",
        { today: this.clock.today() },
      );
    }
    return qb;
  }

  /**
   * The open items (not 已销号) about a household or any of its members, as the caller may see them,
   * by deadline (at most `limit`): the household page lists them.
   */
  async openAbout(user: AuthUser, householdId: number, personIds: number[], limit: number): Promise<ItemView[]> {
    const qb = this.db.manager.createQueryBuilder(Item, 'i');
    applyRegionScope(qb, 'i.regionCode', user, undefined, 'subdistrict');
    const aboutMembers =
      personIds.length > 0 ? " OR (i.subjectType = 'person' AND i.subjectId IN (:...personIds))" : '';
    qb.andWhere("i.status <> 'closed'").andWhere(
      `((i.subjectType = 'household' AND i.subjectId = :householdId)${aboutMembers})`,
      { householdId, personIds },
    );
    const rows = await ordered(qb, 'deadline', '').take(limit).getMany();
    return this.views.describe(this.db.manager, user, rows);
  }

  /** An item the caller may see; another sub-district's is "not found" (404), never "forbidden". */
  async findInScope(em: EntityManager, user: AuthUser, id: number): Promise<Item> {
    const item = await em.findOneBy(Item, { id });
    if (!item || !isInScope(user, item.regionCode)) {
      throw AppError.notFound(`item ${id}`);
    }
    return item;
  }
}

/** The list's order (ItemSort) on `i`, `level` the current level's SQL; the page's rows keep the order of their ids. */
function ordered(qb: SelectQueryBuilder<Item>, sort: ItemSort, level: string): SelectQueryBuilder<Item> {
  switch (sort) {
    case 'deadline':
      return qb.orderBy('i.deadline', 'ASC').addOrderBy('i.id', 'ASC');
    case 'level':
      return qb.orderBy(level, 'DESC').addOrderBy('i.deadline', 'ASC').addOrderBy('i.id', 'ASC');
    case 'requested':
      // Requests first on both databases (each sorts NULL first otherwise), the oldest first.
      return qb
        .orderBy('CASE WHEN i.closeRequestedAt IS NULL THEN 1 ELSE 0 END', 'ASC')
        .addOrderBy('i.closeRequestedAt', 'ASC')
        .addOrderBy('i.id', 'ASC');
  }
}
