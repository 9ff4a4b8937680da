import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { inTransaction } from '../database/transaction.js';
import { ACTION_FROM, type ItemAction, refusalOf } from './item-policy.js';
import { ItemQueries } from './item-queries.service.js';
import type { ItemDetail } from './item-views.js';
import { Item } from './item.entity.js';
import type { LedgerEntryType } from './ledger-entry.entity.js';
import { ledgerActorOf, LedgerService } from './ledger.service.js';
import { LedgerError, LedgerErrorCode } from './ledger.errors.js';

/** One action on one item: its policy name, the checks, the change and its ledger entry. */
export interface ItemChange {
  name: ItemAction;
  /** The version the caller saw; when given, it must still be the item's. */
  version?: number;
  /** Column changes (after the checks); a change bumps the version, a bare progress note does not. */
  set?: (item: Item) => QueryDeepPartialEntity<Item>;
  /**
   * The ledger entry, worked out after the UPDATE, so under the item's row lock: a writer that takes
   * the lock before adding to the item (an upload of evidence does) waits, so what this reads of the
   * item's rows (its attachments) is what the entry records. A refusal thrown here rolls the UPDATE back.
   */
  entry: (item: Item, em: EntityManager) => Promise<EntryFields> | EntryFields;
  /** Further checks on the loaded item, inside the transaction. */
  check?: (em: EntityManager, item: Item) => Promise<void> | void;
  /** What else goes with the change in its transaction (notices), given the item as it was loaded. */
  after?: (em: EntityManager, item: Item) => Promise<void>;
}

export type EntryFields = { type: LedgerEntryType; note?: string | null; payload?: Record<string, unknown> | null };

/**
 * How every action on an item is applied (ItemsService, ItemClosure): the item policy's refusals,
 * the version check, one UPDATE and one ledger entry, in one transaction.
 */
@Injectable()
export class ItemChanges {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly queries: ItemQueries,
  ) {}

  /**
   * One change of an item and its ledger entry, in one transaction. The UPDATE repeats the checks
   * in its WHERE (status, and version for a change), so a concurrent change makes it touch no row:
   * 409, and nothing is written.
   */
  async apply(user: AuthUser, id: number, action: ItemChange): Promise<ItemDetail> {
    const actor = ledgerActorOf(user);
    const done = await inTransaction(this.db, async (em) => {
      const item = await this.queries.findInScope(em, user, id);
      const from = ACTION_FROM[action.name];
      const refusal = refusalOf(user, item, action.name);
      if (refusal === 'department') {
        throw new LedgerError(
          LedgerErrorCode.OtherDepartment,
          action.name === 'review'
            ? `item ${id} is reviewed by the ${item.responsibleDept} department's staff or an admin`
            : `item ${id} belongs to the ${item.responsibleDept} department; insurance staff act on insurance items only`,
        );
      }
      if (refusal === 'requester') {
        throw new LedgerError(
          LedgerErrorCode.OwnRequest,
          `item ${id}'s 销号 was requested by this user; another reviewer of the department decides on it`,
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
      // The UPDATE holds the item's row lock until commit, so the entry is worked out and appended under it.
      const entry = await action.entry(item, em);
      const ledger = await this.ledger.append(
        em,
        id,
        { ...entry, actor, at: this.clock.now().toISOString() },
        { itemLocked: true },
      );
      await action.after?.(em, item);
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
