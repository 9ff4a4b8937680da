import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, type SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope, isInScope, subdistrictOf } from '../auth/region-scope.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { daysBetween } from '../common/dates.js';
import { maskIdNumber } from '../common/id-number.js';
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
import { currentLevel, levelDue } from './escalation-policy.js';
import type { ChainVerification } from './hash-chain.js';
import { ItemFilingService, type NewItem } from './item-filing.service.js';
import { ItemLevels } from './item-levels.service.js';
import {
  type Department,
  Item,
  type ItemCategory,
  type ItemSource,
  type ItemStatus,
  type SubjectType,
} from './item.entity.js';
import { LedgerEntry, type LedgerEntryType } from './ledger-entry.entity.js';
import { type LedgerActor, type LedgerEntryView, LedgerService } from './ledger.service.js';

/** An item as every response shows it: SPEC names, plus names for codes and the days left. */
export interface ItemView {
  id: number;
  campaignId: number;
  campaignName: string | null;
  category: ItemCategory;
  title: string;
  description: string | null;
  subjectType: SubjectType | null;
  subjectId: number | null;
  /** A person's name, a household's registry number, a region's name (persons only for roles that read them). */
  subjectName: string | null;
  /** A person subject's ID number, masked (610102********1234). */
  subjectIdNumber: string | null;
  regionCode: string;
  regionName: string | null;
  responsibleDept: Department;
  deadline: string;
  /** deadline − today in days, negative when overdue; null once closed. */
  daysLeft: number | null;
  overdue: boolean;
  source: ItemSource;
  status: ItemStatus;
  /** The level the escalation job has recorded (it never lowers it). */
  escalationLevel: number;
  /**
   * The level as of today, the one pages show: for an item not closed, what the policy gives today
   * (the recorded level until tonight's run catches up); a closed item's recorded level.
   */
  currentLevel: number;
  version: number;
  resolution: string | null;
  closedAt: Date | null;
  /** 逾期销号: closed on a day after its deadline (in APP_TIMEZONE). */
  closedLate: boolean;
  dedupeKey: string | null;
  createdById: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ItemDetail extends ItemView {
  ledger: LedgerEntryView[];
}

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
      check: (_em, item) => {
        if (Object.keys(changesOf(item)).length === 0) {
          throw new AppError(
            ErrorCode.Invalid,
            'give a regionCode or responsibleDept other than the item has',
            dto.regionCode ? 'regionCode' : 'responsibleDept',
          );
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

  /** Views of a page of items: region, campaign and subject names in at most four queries. */
  async describe(em: EntityManager, user: AuthUser, items: Item[]): Promise<ItemView[]> {
    if (items.length === 0) {
      return [];
    }
    const idsOf = (type: SubjectType) =>
      [...new Set(items.filter((i) => i.subjectType === type).map((i) => i.subjectId!))].filter(Boolean);
    const personIds = hasPermission(user.role, Permission.PersonsRead) ? idsOf('person') : [];
    const householdIds = idsOf('household');
    const [regions, campaigns, persons, households] = await Promise.all([
      em.find(Region, {
        select: { code: true, name: true },
        where: { code: In([...new Set(items.map((i) => i.regionCode))]) },
      }),
      em.find(Campaign, {
        select: { id: true, name: true, reminderDays: true, warningDays: true, supervisedDays: true },
        where: { id: In([...new Set(items.map((i) => i.campaignId))]) },
      }),
      personIds.length > 0
        ? em.find(Person, { select: { id: true, name: true, idNumber: true }, where: { id: In(personIds) } })
        : [],
      householdIds.length > 0
        ? em.find(Household, { select: { id: true, registryNo: true }, where: { id: In(householdIds) } })
        : [],
    ]);
    const regionName = new Map(regions.map((r) => [r.code, r.name]));
    const campaignName = new Map(campaigns.map((c) => [c.id, c.name]));
    const thresholds = new Map(campaigns.map((c) => [c.id, c]));
    const person = new Map(persons.map((p) => [p.id, p]));
    const registryNo = new Map(households.map((h) => [h.id, h.registryNo]));
    const subjectName = (i: Item): string | null => {
      switch (i.subjectType) {
        case 'person':
          return person.get(i.subjectId!)?.name ?? null;
        case 'household':
          return registryNo.get(i.subjectId!) ?? null;
        case 'region':
          return regionName.get(i.regionCode) ?? null;
        case null:
          return null;
      }
    };
    const today = this.clock.today();
    return items.map((i) => {
      const open = i.status !== 'closed';
      const subject = i.subjectType === 'person' ? person.get(i.subjectId!) : undefined;
      return {
        id: i.id,
        campaignId: i.campaignId,
        campaignName: campaignName.get(i.campaignId) ?? null,
        category: i.category,
        title: i.title,
        description: i.description,
        subjectType: i.subjectType,
        subjectId: i.subjectId,
        subjectName: subjectName(i),
        subjectIdNumber: subject ? maskIdNumber(subject.idNumber) : null,
        regionCode: i.regionCode,
        regionName: regionName.get(i.regionCode) ?? null,
        responsibleDept: i.responsibleDept,
        deadline: i.deadline,
        daysLeft: open ? daysBetween(today, i.deadline) : null,
        overdue: open && i.deadline < today,
        source: i.source,
        status: i.status,
        escalationLevel: i.escalationLevel,
        currentLevel: thresholds.has(i.campaignId)
          ? currentLevel(i, thresholds.get(i.campaignId)!, today)
          : i.escalationLevel,
        version: i.version,
        resolution: i.resolution,
        closedAt: i.closedAt,
        closedLate: i.status === 'closed' && i.closedOn !== null && i.closedOn > i.deadline,
        dedupeKey: i.dedupeKey,
        createdById: i.createdById,
        createdAt: i.createdAt,
        updatedAt: i.updatedAt,
      };
    });
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
  private async detail(user: AuthUser, item: Item, entries: LedgerEntry[]): Promise<ItemDetail> {
    const [view] = await this.describe(this.db.manager, user, [item]);
    return { ...view, ledger: entries.map((e) => this.ledger.toView(e)) };
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
