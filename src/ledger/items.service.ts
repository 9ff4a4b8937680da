import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { subdistrictOf } from '../regions/region-codes.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { inTransaction } from '../database/transaction.js';
import { Campaign } from './campaign.entity.js';
import type { CreateItemDto } from './dto/create-item.dto.js';
import type {
  CloseItemDto,
  CommentItemDto,
  ProgressItemDto,
  ReopenItemDto,
  ReviewItemDto,
  StartItemDto,
} from './dto/item-actions.dto.js';
import type { AssignItemDto } from './dto/item-assignee.dto.js';
import type { ChangeDeadlineDto, ReassignItemDto } from './dto/item-changes.dto.js';
import { maskPhone } from './assignee-phone.js';
import { levelDue } from './escalation-policy.js';
import { ItemFilingService, type NewItem, type PlannedItem } from './item-filing.service.js';
import { assertSubdistrict, assertSubjectWithin, regionOfSubject } from './item-placement.js';
import { ItemChanges } from './item-changes.js';
import { ItemClosure } from './item-closure.service.js';
import { defaultDepartment } from './item-policy.js';
import { ItemQueries } from './item-queries.service.js';
import { Item } from './item.entity.js';
import type { ItemDetail } from './item-views.js';
import { type LedgerActor, ledgerActorOf, LedgerService } from './ledger.service.js';
import { LedgerError, LedgerErrorCode } from './ledger.errors.js';

export type { NewItem, PlannedItem } from './item-filing.service.js';

/**
 * The commands on items: filing (one by a person, many by the system) and the life cycle's
 * actions, each with its ledger entry in the same transaction (ItemChanges applies them; 销号 and
 * its review are ItemClosure's). Reads are ItemQueries'.
 */
@Injectable()
export class ItemsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly queries: ItemQueries,
    private readonly filing: ItemFilingService,
    private readonly changes: ItemChanges,
    private readonly closure: ItemClosure,
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

  /** What createMany would file, writing nothing (the gap checks' dry run): see ItemFilingService.plan. */
  planMany(em: EntityManager, items: readonly NewItem[]): Promise<PlannedItem[]> {
    return this.filing.plan(em, items);
  }

  start(user: AuthUser, id: number, dto: StartItemDto): Promise<ItemDetail> {
    return this.changes.apply(user, id, {
      name: 'start',
      version: dto.version,
      set: () => ({ status: 'in_progress' }),
      entry: () => ({ type: 'started', payload: { status: 'in_progress' } }),
    });
  }

  /** A progress note (整改进展): a ledger entry only, so it leaves the version alone. */
  progress(user: AuthUser, id: number, dto: ProgressItemDto): Promise<ItemDetail> {
    return this.changes.apply(user, id, {
      name: 'progress',
      entry: () => ({ type: 'progress', note: dto.note }),
    });
  }

  /** 销号, or 申请销号 where the campaign reviews closes: see ItemClosure. */
  close(user: AuthUser, id: number, dto: CloseItemDto): Promise<ItemDetail> {
    return this.closure.close(user, id, dto);
  }

  /** 销号审核: see ItemClosure. */
  review(user: AuthUser, id: number, dto: ReviewItemDto): Promise<ItemDetail> {
    return this.closure.review(user, id, dto);
  }

  /** 批注: one `comment` entry, by anyone who may read the item, whatever its status; the version stays. */
  comment(user: AuthUser, id: number, dto: CommentItemDto): Promise<ItemDetail> {
    return this.changes.apply(user, id, {
      name: 'comment',
      entry: () => ({ type: 'comment', note: dto.note }),
    });
  }

  /** 责任人: name and phone (stored in full; the ledger keeps the phone masked, as the item's readers outside it see it). */
  assign(user: AuthUser, id: number, dto: AssignItemDto): Promise<ItemDetail> {
    return this.changes.apply(user, id, {
      name: 'assign',
      version: dto.version,
      set: () => ({ assigneeName: dto.assigneeName, assigneePhone: dto.assigneePhone }),
      check: (_em, item) => {
        if (item.assigneeName === dto.assigneeName && item.assigneePhone === dto.assigneePhone) {
          throw new AppError(
            ErrorCode.Invalid,
            `the item's assigneeName and assigneePhone are these already`,
            'assigneeName',
          );
        }
      },
      entry: (item) => ({
        type: 'assignee_changed',
        payload: {
          assigneeName: { from: item.assigneeName, to: dto.assigneeName },
          assigneePhone: {
            from: item.assigneePhone && maskPhone(item.assigneePhone),
            to: maskPhone(dto.assigneePhone),
          },
        },
      }),
    });
  }

  reopen(user: AuthUser, id: number, dto: ReopenItemDto): Promise<ItemDetail> {
    return this.changes.apply(user, id, {
      name: 'reopen',
      version: dto.version,
      set: () => ({
        status: 'open',
        resolution: null,
        outcome: null,
        closedAt: null,
        closedOn: null,
        openKey: () => 'dedupeKey',
      }),
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
    return this.changes.apply(user, id, {
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
    return this.changes.apply(user, id, {
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
}
