import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
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
import { ItemCount } from './item-count.entity.js';
import { applyItemSearch, ITEM_VILLAGE_SQL } from './item-search.js';
import { Item } from './item.entity.js';
import { subjectOfRow, subjectSelects } from './item-lock.js';
import type { LedgerEntry } from './ledger-entry.entity.js';
import { type ItemDetail, type ItemExtras, type ItemView, ItemViews } from './item-views.js';
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
   * The rows are read in order from an index ((regionCode, deadline), or (regionCode, status,
   * deadline) with a status), so nothing is sorted: the first page's 20 rows at once, a later
   * page's ids first, so that the rows its offset skips are never read, then those rows. The total, unless the page shows it (a short page, not past the end), is the
   * sum of item_counts where it has a column for every filter (scope, status, 未销号, campaign,
   * department: the lists as they open), else a COUNT of the items.
   */
  async list(user: AuthUser, query: ListItemsQuery): Promise<Page<ItemView>> {
    const sort = query.sort ?? 'deadline';
    const level = sort === 'level' ? await this.levels.levelSql(this.db.manager, 'i') : '';
    const filtered = await this.filtered(this.db.manager, user, query);
    const { rows, total, extras } = await onReplica(this.db, filtered, async (q) => {
      // The first page of a counted filter brings its total along (one statement, one snapshot).
      const page =
        query.offset === 0
          ? await firstPage(q, sort, level, query.pageSize, counted(query) ? countedSum(q, user, query) : null)
          : await pageAfter(q, sort, level, query);
      const shown = page.rows.length < query.pageSize && (page.rows.length > 0 || query.offset === 0);
      const total = shown
        ? query.offset + page.rows.length
        : (page.total ?? (counted(query) ? await countedTotal(q, user, query) : await q.getCount()));
      return { ...page, total };
    });
    return {
      items: await this.views.describe(this.db.manager, user, rows, extras),
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
    const qb = keyFiltered(em.createQueryBuilder(Item, 'i'), 'i', user, filters);
    if (filters.level !== undefined) {
      const campaigns = filters.campaignId === undefined ? undefined : [filters.campaignId];
      qb.andWhere(`${await this.levels.levelSql(em, 'i', campaigns)} = :currentLevel`, { currentLevel: filters.level });
    }
    if (filters.category) {
      qb.andWhere('i.category = :category', { category: filters.category });
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

/**
 * The filters item_counts has a column for, on alias `a` of items or of item_counts: the caller's
 * scope and the requested region, status, 未销号/已销号, campaign, responsible department.
 */
function keyFiltered<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  a: string,
  user: AuthUser,
  filters: ItemFilters,
): SelectQueryBuilder<T> {
  applyRegionScope(qb, `${a}.regionCode`, user, filters.regionCode, 'subdistrict');
  if (filters.status) {
    qb.andWhere(`${a}.status = :status`, { status: filters.status });
  }
  if (filters.closed !== undefined) {
    qb.andWhere(filters.closed ? `${a}.status = 'closed'` : `${a}.status <> 'closed'`);
  }
  if (filters.campaignId !== undefined) {
    qb.andWhere(`${a}.campaignId = :campaignId`, { campaignId: filters.campaignId });
  }
  if (filters.responsibleDept) {
    qb.andWhere(`${a}.responsibleDept = :dept`, { dept: filters.responsibleDept });
  }
  return qb;
}

/** Whether item_counts gives the total of these filters: no filter beyond its columns (keyFiltered). */
function counted(filters: ItemFilters): boolean {
  return (
    filters.level === undefined &&
    !filters.category &&
    filters.escalationLevel === undefined &&
    !filters.q &&
    !filters.villageCode &&
    filters.overdue === undefined
  );
}

/** The total of `filters` (counted) from item_counts, on `q`'s connection (the replica's, where the page is read). */
async function countedTotal(q: SelectQueryBuilder<Item>, user: AuthUser, filters: ItemFilters): Promise<number> {
  const row = await countSum(q.createQueryBuilder(), user, filters).getRawOne<{ total: number | string }>();
  return Number(row?.total ?? 0);
}

/** The same sum as a scalar subquery of `q`, for the first page to select beside its rows (its parameters are `q`'s own). */
function countedSum(q: SelectQueryBuilder<Item>, user: AuthUser, filters: ItemFilters): SelectQueryBuilder<ItemCount> {
  return countSum(q.subQuery(), user, filters);
}

/** item_counts summed under the key filters, as `total`. */
function countSum<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>, user: AuthUser, filters: ItemFilters) {
  return keyFiltered(qb.select('COALESCE(SUM(c.total), 0)', 'total').from(ItemCount, 'c'), 'c', user, filters);
}

interface ExtrasRow {
  i_id: number | string;
  extraRegionName: string | null;
  extraCampaignName: string | null;
  extraReminderDays: number | string | null;
  extraWarningDays: number | string | null;
  extraSupervisedDays: number | string | null;
  extraAttachments: number | string;
  extraTotal?: number | string;
  x_person: unknown;
  x_household: unknown;
  x_members: unknown;
}

/**
 * The page's rows with what describing them needs besides (ItemExtras), read by scalar subqueries
 * on the rows returned: they leave the plan alone (items first, in index order), and save the
 * view four round trips (region names, campaigns, evidence counts, subjects). Given `total` (a
 * scalar subquery), each row carries it too.
 */
async function readWithExtras(
  qb: SelectQueryBuilder<Item>,
  total: SelectQueryBuilder<ItemCount> | null = null,
): Promise<{ rows: Item[]; extras: Map<number, ItemExtras>; total: number | null }> {
  const campaign = (column: string) => `(SELECT xc.${column} FROM campaigns xc WHERE xc.id = i.campaignId)`;
  if (total) {
    qb.addSelect(total.getQuery(), 'extraTotal').setParameters(total.getParameters());
  }
  for (const [sql, alias] of subjectSelects(qb.connection.options.type === 'mysql' ? 'JSON_OBJECT' : 'json_object')) {
    qb.addSelect(sql, alias);
  }
  const { entities, raw } = await qb
    .addSelect('(SELECT xr.name FROM regions xr WHERE xr.code = i.regionCode)', 'extraRegionName')
    .addSelect(campaign('name'), 'extraCampaignName')
    .addSelect(campaign('reminderDays'), 'extraReminderDays')
    .addSelect(campaign('warningDays'), 'extraWarningDays')
    .addSelect(campaign('supervisedDays'), 'extraSupervisedDays')
    .addSelect('(SELECT COUNT(*) FROM attachments xa WHERE xa.itemId = i.id)', 'extraAttachments')
    .getRawAndEntities<ExtrasRow>();
  const extras = new Map<number, ItemExtras>();
  for (const r of raw) {
    const id = Number(r.i_id);
    extras.set(id, {
      regionName: r.extraRegionName,
      campaign:
        r.extraCampaignName === null
          ? null
          : {
              id: 0,
              name: r.extraCampaignName,
              reminderDays: Number(r.extraReminderDays),
              warningDays: Number(r.extraWarningDays),
              supervisedDays: Number(r.extraSupervisedDays),
            },
      attachmentCount: Number(r.extraAttachments),
      subject: subjectOfRow(r as unknown as Record<string, unknown>),
    });
  }
  for (const item of entities) {
    const campaign = extras.get(item.id)?.campaign;
    if (campaign) {
      campaign.id = item.campaignId;
    }
  }
  return { rows: entities, extras, total: total && raw.length > 0 ? Number(raw[0].extraTotal) : null };
}

/** The first page: its rows at once, in index order (with the filter's total, given its sum). */
function firstPage(
  q: SelectQueryBuilder<Item>,
  sort: ItemSort,
  level: string,
  pageSize: number,
  total: SelectQueryBuilder<ItemCount> | null,
) {
  return readWithExtras(ordered(q.clone(), sort, level).limit(pageSize), total);
}

/** A page past the first: its ids in order (the rows the offset skips are never read), then those rows. */
async function pageAfter(q: SelectQueryBuilder<Item>, sort: ItemSort, level: string, query: ListItemsQuery) {
  const ids = (
    await ordered(q.clone().select('i.id', 'id'), sort, level)
      .offset(query.offset)
      .limit(query.pageSize)
      .getRawMany<{ id: number | string }>()
  ).map((r) => Number(r.id));
  if (ids.length === 0) {
    return { rows: [], extras: new Map<number, ItemExtras>(), total: null };
  }
  const position = new Map(ids.map((id, i) => [id, i]));
  const page = await readWithExtras(q.clone().andWhere('i.id IN (:...pageIds)', { pageIds: ids }));
  page.rows.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
  return page;
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
