import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope, isInScope } from '../auth/region-scope.js';
import { subdistrictOf } from '../regions/region-codes.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import type { Page } from '../common/pagination.js';
import { onReplica } from '../database/read-replica.js';
import { inTransaction } from '../database/transaction.js';
import { Household } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';
import { Region } from '../regions/region.entity.js';
import { Campaign } from './campaign.entity.js';
import type { CreateItemDto } from './dto/create-item.dto.js';
import type {
  ChangeDeadlineDto,
  CloseItemDto,
  ProgressItemDto,
  ReassignItemDto,
  ReopenItemDto,
  StartItemDto,
} from './dto/item-actions.dto.js';
import type { ItemFilters, ListItemsQuery } from './dto/list-items.dto.js';
import { levelDue } from './escalation-policy.js';
import type { ChainVerification } from './hash-chain.js';
import { ItemFilingService, type NewItem } from './item-filing.service.js';
import { ItemLevels } from './item-levels.service.js';
import { Item, type ItemStatus, type SubjectType } from './item.entity.js';
import type { LedgerEntry, LedgerEntryType } from './ledger-entry.entity.js';
import { type ItemDetail, type ItemView, ItemViews } from './item-views.js';
import { type LedgerActor, LedgerService } from './ledger.service.js';

export type { NewItem } from './item-filing.service.js';

/** The statuses each action may start from (SPEC §2 life cycle). */
const FROM = {
  start: ['open'],
  progress: ['open', 'in_progress'],
  close: ['open', 'in_progress'],
  reopen: ['closed'],
  change: ['open', 'in_progress'],
} as const satisfies Record<string, readonly ItemStatus[]>;

interface Action {
  from: readonly ItemStatus[];
  /** The version the caller saw; when given, it must still be the item's. */
  version?: number;
  /** Column changes (after the checks); a change bumps the version, a bare progress note does not. */
  set?: (item: Item) => QueryDeepPartialEntity<Item>;
  entry: (item: Item) => { type: LedgerEntryType; note?: string | null; payload?: Record<string, unknown> | null };
  /** Further checks on the loaded item, inside the transaction. */
  check?: (em: EntityManager, item: Item) => Promise<void> | void;
}

@Injectable()
export class ItemsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly views: ItemViews,
    private readonly levels: ItemLevels,
    private readonly filing: ItemFilingService,
  ) {}

  /**
   * A page by deadline, then id, and the exact total of the filter (the pages show it as 共 N 条).
   * The page's ids come first, read in order from an index that holds them ((regionCode, deadline),
   * or (regionCode, status, deadline) with a status), so the rows an offset skips are never read;
   * then those rows. The total is counted unless the page shows it (a short page, not past the end).
   */
  async list(user: AuthUser, query: ListItemsQuery): Promise<Page<ItemView>> {
    const { rows, total } = await onReplica(this.db, await this.filtered(this.db.manager, user, query), async (q) => {
      const ids = (
        await q
          .clone()
          .select('i.id', 'id')
          .orderBy('i.deadline', 'ASC')
          .addOrderBy('i.id', 'ASC')
          .offset(query.offset)
          .limit(query.pageSize)
          .getRawMany<{ id: number }>()
      ).map((r) => r.id);
      const page =
        ids.length === 0
          ? []
          : await q
              .clone()
              .andWhere('i.id IN (:...pageIds)', { pageIds: ids })
              .orderBy('i.deadline', 'ASC')
              .addOrderBy('i.id', 'ASC')
              .getMany();
      const shown = ids.length < query.pageSize && (ids.length > 0 || query.offset === 0);
      return { rows: page, total: shown ? query.offset + ids.length : await q.getCount() };
    });
    return {
      items: await this.describe(this.db.manager, user, rows),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  async get(user: AuthUser, id: number): Promise<ItemDetail> {
    const item = await this.findInScope(this.db.manager, user, id);
    return this.detail(user, item, await this.ledger.entries(this.db.manager, id));
  }

  async verify(user: AuthUser, id: number): Promise<ChainVerification> {
    await this.findInScope(this.db.manager, user, id);
    return this.ledger.verify(this.db.manager, id);
  }

  /** Files one item (督导检查 by default) and its `created` entry. */
  async create(user: AuthUser, dto: CreateItemDto): Promise<ItemDetail> {
    const actor = this.actorOf(user);
    const id = await inTransaction(this.db, async (em) => {
      const campaign = await em.findOneBy(Campaign, { id: dto.campaignId });
      if (!campaign) {
        throw new AppError(ErrorCode.Invalid, `campaign ${dto.campaignId} does not exist`, 'campaignId');
      }
      const subjectRegion = await this.subjectRegion(em, dto.subjectType ?? null, dto.subjectId ?? null);
      const regionCode = dto.regionCode ? subdistrictOf(dto.regionCode) : subjectRegion;
      if (!regionCode) {
        throw new AppError(
          ErrorCode.Invalid,
          'regionCode is required unless a household or person subject gives it',
          'regionCode',
        );
      }
      await this.assertSubdistrict(em, regionCode);
      assertSubjectWithin(subjectRegion, regionCode, dto.subjectType ?? null, dto.subjectId ?? null);
      const values = {
        campaignId: campaign.id,
        category: dto.category,
        title: dto.title,
        description: dto.description || null,
        subjectType: dto.subjectType ?? null,
        subjectId: dto.subjectId ?? null,
        regionCode,
        responsibleDept: dto.responsibleDept ?? (dto.category === 'insurance' ? 'insurance' : 'health'),
        deadline: dto.deadline ?? campaign.deadline,
        source: dto.source ?? 'inspection',
      } satisfies Partial<Item>;
      const today = this.clock.today();
      const level = levelDue(values.deadline, campaign, today);
      const result = await em.insert(Item, { ...values, escalationLevel: level, createdById: user.id });
      const itemId = (result.identifiers[0] as { id: number }).id;
      const at = this.clock.now().toISOString();
      await this.ledger.append(em, itemId, { type: 'created', actor, at, payload: values });
      if (level > 0) {
        await this.filing.escalateFiled(em, [{ itemId, level, ...values }], at, today);
      }
      return itemId;
    });
    return this.get(user, id);
  }

  /** Files many items at once (the gap checks, reconciliation, demo data): see ItemFilingService.fileMany. */
  createMany(em: EntityManager, items: readonly NewItem[], actor: LedgerActor): Promise<number> {
    return this.filing.fileMany(em, items, actor);
  }

  start(user: AuthUser, id: number, dto: StartItemDto): Promise<ItemDetail> {
    return this.act(user, id, {
      from: FROM.start,
      version: dto.version,
      set: () => ({ status: 'in_progress' }),
      entry: () => ({ type: 'started', payload: { status: 'in_progress' } }),
    });
  }

  /** A progress note (整改进展): a ledger entry only, so it leaves the version alone. */
  progress(user: AuthUser, id: number, dto: ProgressItemDto): Promise<ItemDetail> {
    return this.act(user, id, {
      from: FROM.progress,
      entry: () => ({ type: 'progress', note: dto.note }),
    });
  }

  /** 销号: the item leaves the open keys, so the same gap may be filed again later. */
  close(user: AuthUser, id: number, dto: CloseItemDto): Promise<ItemDetail> {
    return this.act(user, id, {
      from: FROM.close,
      version: dto.version,
      set: () => {
        const now = this.clock.now();
        return {
          status: 'closed',
          resolution: dto.resolution,
          closedAt: now,
          closedOn: this.clock.dateOf(now),
          openKey: null,
        };
      },
      entry: () => ({ type: 'closed', note: dto.resolution, payload: { status: 'closed' } }),
    });
  }

  reopen(user: AuthUser, id: number, dto: ReopenItemDto): Promise<ItemDetail> {
    return this.act(user, id, {
      from: FROM.reopen,
      version: dto.version,
      set: () => ({ status: 'open', resolution: null, closedAt: null, closedOn: null, openKey: () => 'dedupeKey' }),
      check: async (em, item) => {
        const twin = item.dedupeKey && (await em.findOneBy(Item, { openKey: item.dedupeKey }));
        if (twin) {
          throw new AppError(
            ErrorCode.Duplicate,
            `item ${twin.id} is already open for the same gap (${item.dedupeKey}); reopen is refused`,
            'dedupeKey',
          );
        }
      },
      entry: () => ({ type: 'reopened', note: dto.reason, payload: { status: 'open' } }),
    });
  }

  async reassign(user: AuthUser, id: number, dto: ReassignItemDto): Promise<ItemDetail> {
    const regionCode = dto.regionCode && subdistrictOf(dto.regionCode);
    if (regionCode) {
      await this.assertSubdistrict(this.db.manager, regionCode);
    }
    const changesOf = (item: Item): Partial<Pick<Item, 'regionCode' | 'responsibleDept'>> => ({
      ...(regionCode && regionCode !== item.regionCode ? { regionCode } : {}),
      ...(dto.responsibleDept && dto.responsibleDept !== item.responsibleDept
        ? { responsibleDept: dto.responsibleDept }
        : {}),
    });
    return this.act(user, id, {
      from: FROM.change,
      version: dto.version,
      set: changesOf,
      check: async (em, item) => {
        if (Object.keys(changesOf(item)).length === 0) {
          throw new AppError(
            ErrorCode.Invalid,
            'give a regionCode or responsibleDept other than the item has',
            dto.regionCode ? 'regionCode' : 'responsibleDept',
          );
        }
        if (regionCode && regionCode !== item.regionCode) {
          const subjectRegion = await this.subjectRegion(em, item.subjectType, item.subjectId);
          assertSubjectWithin(subjectRegion, regionCode, item.subjectType, item.subjectId);
        }
      },
      entry: (item) => ({
        type: 'reassigned',
        note: dto.note || null,
        payload: Object.fromEntries(
          Object.entries(changesOf(item)).map(([field, to]) => [
            field,
            { from: item[field as 'regionCode' | 'responsibleDept'], to },
          ]),
        ),
      }),
    });
  }

  changeDeadline(user: AuthUser, id: number, dto: ChangeDeadlineDto): Promise<ItemDetail> {
    return this.act(user, id, {
      from: FROM.change,
      version: dto.version,
      set: () => ({ deadline: dto.deadline }),
      check: (_em, item) => {
        if (item.deadline === dto.deadline) {
          throw new AppError(ErrorCode.Invalid, `the deadline is ${dto.deadline} already`, 'deadline');
        }
      },
      entry: (item) => ({
        type: 'deadline_changed',
        note: dto.note || null,
        payload: { deadline: { from: item.deadline, to: dto.deadline } },
      }),
    });
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

  /** Views of a page of items (names, days left; texts as the caller may read them): see ItemViews. */
  describe(em: EntityManager, user: AuthUser, items: Item[]): Promise<ItemView[]> {
    return this.views.describe(em, user, items);
  }

  /** An item the caller may see; another sub-district's is "not found" (404), never "forbidden". */
  async findInScope(em: EntityManager, user: AuthUser, id: number): Promise<Item> {
    const item = await em.findOneBy(Item, { id });
    if (!item || !isInScope(user, item.regionCode)) {
      throw AppError.notFound(`item ${id}`);
    }
    return item;
  }

  /**
   * One change of an item and its ledger entry, in one transaction. The UPDATE repeats the checks
   * in its WHERE (status, and version for a change), so a concurrent change makes it touch no row:
   * 409, and nothing is written.
   */
  private async act(user: AuthUser, id: number, action: Action): Promise<ItemDetail> {
    const actor = this.actorOf(user);
    const done = await inTransaction(this.db, async (em) => {
      const item = await this.findInScope(em, user, id);
      if (user.role === 'insurance_reconciler' && item.responsibleDept !== 'insurance') {
        throw new AppError(
          ErrorCode.Forbidden,
          `item ${id} belongs to the ${item.responsibleDept} department; insurance staff act on insurance items only`,
        );
      }
      if (!action.from.includes(item.status)) {
        throw new AppError(
          ErrorCode.InvalidTransition,
          `item ${id} is ${item.status}; this needs it to be ${action.from.join(' or ')}`,
          'status',
        );
      }
      if (action.version !== undefined && action.version !== item.version) {
        throw this.conflict(id, action.version);
      }
      await action.check?.(em, item);
      const qb = em
        .createQueryBuilder()
        .update(Item)
        .set(
          action.set ? { ...action.set(item), version: () => 'version + 1' } : { updatedAt: () => 'CURRENT_TIMESTAMP' },
        )
        .where('id = :id AND status IN (:...from)', { id, from: action.from });
      if (action.set) {
        qb.andWhere('version = :version', { version: item.version });
      }
      if ((await qb.execute()).affected === 0) {
        throw this.conflict(id, item.version);
      }
      const entry = action.entry(item);
      // The UPDATE holds the item's row lock until commit, so the ledger appends under it.
      const ledger = await this.ledger.append(
        em,
        id,
        { ...entry, actor, at: this.clock.now().toISOString() },
        { itemLocked: true },
      );
      // The row as this transaction left it (the database sets version and updatedAt).
      return { item: await em.findOneByOrFail(Item, { id }), ledger };
    });
    return this.detail(user, done.item, done.ledger);
  }

  /** The answer to a look-up or a change: the item's view and its ledger. */
  private detail(user: AuthUser, item: Item, entries: LedgerEntry[]): Promise<ItemDetail> {
    return this.views.detail(user, item, entries);
  }

  private conflict(id: number, version: number): AppError {
    return new AppError(
      ErrorCode.VersionConflict,
      `item ${id} was changed by someone else (expected version ${version}); reload it`,
      'version',
    );
  }

  /** The ledger names people as the users page does (display name), keyed by their id. */
  private actorOf(user: AuthUser): LedgerActor {
    return { id: user.id, name: user.displayName };
  }

  /** The sub-district a household or person subject lives in; null for no subject or a region subject. */
  private async subjectRegion(em: EntityManager, type: SubjectType | null, id: number | null): Promise<string | null> {
    if (type === null) {
      if (id !== null) {
        throw new AppError(ErrorCode.Invalid, 'subjectId needs a subjectType (household or person)', 'subjectType');
      }
      return null;
    }
    if (type === 'region') {
      if (id !== null) {
        throw new AppError(
          ErrorCode.Invalid,
          "a region subject is the item's regionCode; leave subjectId out",
          'subjectId',
        );
      }
      return null;
    }
    if (id === null) {
      throw new AppError(ErrorCode.Invalid, `subjectId is required for a ${type} subject`, 'subjectId');
    }
    const household =
      type === 'household'
        ? await em.findOneBy(Household, { id })
        : await em
            .createQueryBuilder(Household, 'h')
            .innerJoin(Person, 'p', 'p.householdId = h.id')
            .where('p.id = :id', { id })
            .getOne();
    if (!household) {
      throw new AppError(ErrorCode.Invalid, `${type} ${id} does not exist`, 'subjectId');
    }
    return subdistrictOf(household.regionCode);
  }

  private async assertSubdistrict(em: EntityManager, code: string): Promise<void> {
    if (!(await em.existsBy(Region, { code, level: 'subdistrict' }))) {
      throw new AppError(ErrorCode.Invalid, `regionCode ${code} is not a known sub-district`, 'regionCode');
    }
  }
}

/**
 * A household or person subject lies in the item's sub-district (issue #12): otherwise the item
 * would show that sub-district's officers a resident of another one. 400 naming regionCode.
 */
function assertSubjectWithin(
  subjectRegion: string | null,
  regionCode: string,
  type: SubjectType | null,
  id: number | null,
): void {
  if (subjectRegion && subjectRegion !== regionCode) {
    throw new AppError(
      ErrorCode.Invalid,
      `对象（${type === 'person' ? '人员' : '户'} subjectId ${id}）所在街道 ${subjectRegion} 与责任街道 regionCode ${regionCode} 不一致：整改问题只能交给对象所在的街道`,
      'regionCode',
    );
  }
}
