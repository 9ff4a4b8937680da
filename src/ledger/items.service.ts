import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { AuthUser } from '../auth/auth-user.js';
import { subdistrictOf } from '../regions/region-codes.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { inTransaction } from '../database/transaction.js';
import { Campaign } from './campaign.entity.js';
import type { CreateItemDto } from './dto/create-item.dto.js';
import type { CloseItemDto, ProgressItemDto, ReopenItemDto, StartItemDto } from './dto/item-actions.dto.js';
import type { ChangeDeadlineDto, ReassignItemDto } from './dto/item-changes.dto.js';
import { levelDue } from './escalation-policy.js';
import { ItemFilingService, type NewItem } from './item-filing.service.js';
import { assertSubdistrict, assertSubjectWithin, regionOfSubject } from './item-placement.js';
import { ACTION_FROM, defaultDepartment, type ItemAction, refusalOf } from './item-policy.js';
import { ItemQueries } from './item-queries.service.js';
import { Item } from './item.entity.js';
import type { LedgerEntryType } from './ledger-entry.entity.js';
import type { ItemDetail } from './item-views.js';
import { type LedgerActor, ledgerActorOf, LedgerService } from './ledger.service.js';
import { LedgerError, LedgerErrorCode } from './ledger.errors.js';

export type { NewItem } from './item-filing.service.js';

interface Action {
  name: ItemAction;
  /** The version the caller saw; when given, it must still be the item's. */
  version?: number;
  /** Column changes (after the checks); a change bumps the version, a bare progress note does not. */
  set?: (item: Item) => QueryDeepPartialEntity<Item>;
  entry: (item: Item) => { type: LedgerEntryType; note?: string | null; payload?: Record<string, unknown> | null };
  /** Further checks on the loaded item, inside the transaction. */
  check?: (em: EntityManager, item: Item) => Promise<void> | void;
}

/**
 * The commands on items: filing (one by a person, many by the system) and the life cycle's
 * actions, each with its ledger entry in the same transaction. Reads are ItemQueries'.
 */
@Injectable()
export class ItemsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly queries: ItemQueries,
    private readonly filing: ItemFilingService,
  ) {}

  /** Files one item (督导检查 by default) and its `created` entry. */
  async create(user: AuthUser, dto: CreateItemDto): Promise<ItemDetail> {
    const actor = ledgerActorOf(user);
    const id = await inTransaction(this.db, async (em) => {
      const campaign = await em.findOneBy(Campaign, { id: dto.campaignId });
      if (!campaign) {
        throw new AppError(ErrorCode.Invalid, `campaign ${dto.campaignId} does not exist`, 'campaignId');
      }
      const subjectRegion = await regionOfSubject(em, dto.subjectType ?? null, dto.subjectId ?? null);
      const regionCode = dto.regionCode ? subdistrictOf(dto.regionCode) : subjectRegion;
      if (!regionCode) {
        throw new AppError(
          ErrorCode.Invalid,
          'regionCode is required unless a household or person subject gives it',
          'regionCode',
        );
      }
      await assertSubdistrict(em, regionCode);
      assertSubjectWithin(subjectRegion, regionCode, dto.subjectType ?? null, dto.subjectId ?? null);
      const values = {
        campaignId: campaign.id,
        category: dto.category,
        title: dto.title,
        description: dto.description || null,
        subjectType: dto.subjectType ?? null,
        subjectId: dto.subjectId ?? null,
        regionCode,
        responsibleDept: dto.responsibleDept ?? defaultDepartment(dto.category),
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
    return this.queries.get(user, id);
  }

  /** Files many items at once (the gap checks, reconciliation, demo data): see ItemFilingService.fileMany. */
  createMany(em: EntityManager, items: readonly NewItem[], actor: LedgerActor): Promise<number> {
    return this.filing.fileMany(em, items, actor);
  }

  start(user: AuthUser, id: number, dto: StartItemDto): Promise<ItemDetail> {
    return this.act(user, id, {
      name: 'start',
      version: dto.version,
      set: () => ({ status: 'in_progress' }),
      entry: () => ({ type: 'started', payload: { status: 'in_progress' } }),
    });
  }

  /** A progress note (整改进展): a ledger entry only, so it leaves the version alone. */
  progress(user: AuthUser, id: number, dto: ProgressItemDto): Promise<ItemDetail> {
    return this.act(user, id, {
      name: 'progress',
      entry: () => ({ type: 'progress', note: dto.note }),
    });
  }

  /** 销号: the item leaves the open keys, so the same gap may be filed again later. */
  close(user: AuthUser, id: number, dto: CloseItemDto): Promise<ItemDetail> {
    return this.act(user, id, {
      name: 'close',
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
      name: 'reopen',
      version: dto.version,
      set: () => ({ status: 'open', resolution: null, closedAt: null, closedOn: null, openKey: () => 'dedupeKey' }),
      check: async (em, item) => {
        const twin = item.dedupeKey && (await em.findOneBy(Item, { openKey: item.dedupeKey }));
        if (twin) {
          throw new LedgerError(
            LedgerErrorCode.OpenTwin,
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
      await assertSubdistrict(this.db.manager, regionCode);
    }
    const changesOf = (item: Item): Partial<Pick<Item, 'regionCode' | 'responsibleDept'>> => ({
      ...(regionCode && regionCode !== item.regionCode ? { regionCode } : {}),
      ...(dto.responsibleDept && dto.responsibleDept !== item.responsibleDept
        ? { responsibleDept: dto.responsibleDept }
        : {}),
    });
    return this.act(user, id, {
      name: 'reassign',
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
          const subjectRegion = await regionOfSubject(em, item.subjectType, item.subjectId);
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
      name: 'deadline',
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

  /**
   * One change of an item and its ledger entry, in one transaction. The UPDATE repeats the checks
   * in its WHERE (status, and version for a change), so a concurrent change makes it touch no row:
   * 409, and nothing is written.
   */
  private async act(user: AuthUser, id: number, action: Action): Promise<ItemDetail> {
    const actor = ledgerActorOf(user);
    const done = await inTransaction(this.db, async (em) => {
      const item = await this.queries.findInScope(em, user, id);
      const from = ACTION_FROM[action.name];
      const refusal = refusalOf(user, item, action.name);
      if (refusal === 'department') {
        throw new LedgerError(
          LedgerErrorCode.OtherDepartment,
          `item ${id} belongs to the ${item.responsibleDept} department; insurance staff act on insurance items only`,
        );
      }
      if (refusal === 'status') {
        throw new LedgerError(
          LedgerErrorCode.WrongStatus,
          `item ${id} is ${item.status}; this needs it to be ${from.join(' or ')}`,
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
        .where('id = :id AND status IN (:...from)', { id, from });
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
    return this.queries.detail(user, done.item, done.ledger);
  }

  private conflict(id: number, version: number): LedgerError {
    return new LedgerError(
      LedgerErrorCode.Stale,
      `item ${id} was changed by someone else (expected version ${version}); reload it`,
      'version',
    );
  }
}
