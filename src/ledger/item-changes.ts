import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { AuthUser } from '../auth/auth-user.js';
import { isInScope } from '../auth/region-scope.js';
import { AppError } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { inTransaction } from '../database/transaction.js';
import { ACTION_FROM, type ItemAction, refusalOf } from './item-policy.js';
import { type ItemNames, lockItem } from './item-lock.js';
import { type ItemDetail, ItemViews } from './item-views.js';
import { Item } from './item.entity.js';
import type { LedgerEntry, LedgerEntryType } from './ledger-entry.entity.js';
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
   * The ledger entry, worked out under the item's row lock: a writer that takes the lock before
   * adding to the item (an upload of evidence does) waits, so what this reads of the item's rows
   * (its attachments) is what the entry records. A refusal thrown here writes nothing.
   */
  entry: (item: Item, em: EntityManager, loaded: LoadedItem) => Promise<EntryFields> | EntryFields;
  /** Further checks on the loaded item, inside the transaction. */
  check?: (em: EntityManager, item: Item, loaded: LoadedItem) => Promise<void> | void;
  /** What else goes with the change in its transaction (notices), given the item as it was loaded. */
  after?: (em: EntityManager, item: Item) => Promise<void>;
}

export type EntryFields = { type: LedgerEntryType; note?: string | null; payload?: Record<string, unknown> | null };

/** What the change read with the item: the names its answer shows, and its entries, oldest first. */
export interface LoadedItem {
  names: ItemNames;
  entries: LedgerEntry[];
}

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
    private readonly views: ItemViews,
  ) {}

  /**
   * One change of an item and its ledger entry, in one transaction of (for a close) five round
   * trips: START TRANSACTION; one locking read of the item with its chain's tail, what the checks
   * and the answer need, and its ledger (lockItem); the UPDATE of the item with the new tail and
   * the INSERT of the entry, both written out (TypeORM's builders cost more than the round trips on
   * this path); COMMIT. The answer is built from those rows, with no look-up after the commit (a
   * change of region reads the new region's name apart).
   *
   * No isolation-level statement (it would cost a round trip; inTransaction's READ COMMITTED is
   * for readers of other rows): what must be current is read by locking statements, which read the
   * latest committed rows at any level — the SELECT … FOR UPDATE that waits for the item's previous
   * writer, and the UPDATE. The plain reads (the scalar subqueries and the ledger part of that
   * read, the checks' reads) take the transaction's snapshot when they first run, which is after
   * the row lock was granted, so they see what the previous holder of the lock committed. The UPDATE still repeats
   * the checks in its WHERE (status, and version for a change); touching no row is a 409.
   */
  async apply(user: AuthUser, id: number, action: ItemChange): Promise<ItemDetail> {
    const actor = ledgerActorOf(user);
    const done = await inTransaction(
      this.db,
      async (em) => {
        const locked = await lockItem(em, id);
        if (!locked || !isInScope(user, locked.item.regionCode)) {
          throw AppError.notFound(`item ${id}`);
        }
        const { item } = locked;
        this.refuse(user, item, action);
        await action.check?.(em, item, locked);
        // The clock's instant stamps the entry and the row (updatedAt), so the answer needs no re-read of it.
        const updatedAt = this.clock.now();
        const entry = this.ledger.chain(item, {
          ...(await action.entry(item, em, locked)),
          actor,
          at: updatedAt.toISOString(),
        });
        const changes = storable(em, action.set?.(item) ?? {});
        const update = updateStatement(
          em,
          {
            ...changes,
            ...(action.set ? { version: () => '`version` + 1' } : {}),
            ledgerSeq: entry.seq,
            ledgerHash: entry.hash,
            updatedAt,
          },
          action.set ? item.version : null,
          id,
          ACTION_FROM[action.name],
        );
        if ((await em.queryRunner!.query(update.sql, update.parameters, true)).affected === 0) {
          throw this.conflict(id, item.version);
        }
        const inserted = await this.ledger.insertOne(em, entry);
        await action.after?.(em, item);
        // The row as this transaction left it: the values set (those the SQL computes: the version, a reopened openKey).
        const after = Object.assign(new Item(), item, plainValues(changes), {
          version: action.set ? item.version + 1 : item.version,
          openKey: 'openKey' in changes ? item.dedupeKey : item.openKey,
          ledgerSeq: entry.seq,
          ledgerHash: entry.hash,
          updatedAt,
        });
        const entries = entriesUpTo(locked.entries, item.ledgerSeq);
        const moved = changes.regionCode !== undefined && changes.regionCode !== item.regionCode;
        return { item: after, names: locked.names, entries: !moved && entries && [...entries, inserted], inserted };
      },
      { isolation: 'default' },
    );
    if (done.entries) {
      return this.views.detailFrom(user, done.item, done.names, done.entries);
    }
    // The entries read do not end at the item's tail, or the item moved to another region: the answer as a read builds it.
    const entries = (await this.ledger.entries(this.db.manager, id)).filter((e) => e.seq <= done.inserted.seq);
    return this.views.detail(user, done.item, entries);
  }

  /** The item policy's refusals and the version check, on the locked item. */
  private refuse(user: AuthUser, item: Item, action: ItemChange): void {
    const { id } = item;
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
  }

  private conflict(id: number, version: number): LedgerError {
    return new LedgerError(
      LedgerErrorCode.Stale,
      `item ${id} was changed by someone else (expected version ${version}); reload it`,
      'version',
    );
  }
}

/**
 * The change as the row will hold it: on MySQL an instant in a DATETIME column without fractional
 * seconds is cut to the second here (servers differ on rounding or truncating it), so the answer
 * shows what a later read shows.
 */
function storable(em: EntityManager, changes: QueryDeepPartialEntity<Item>): QueryDeepPartialEntity<Item> {
  if (em.connection.options.type !== 'mysql') {
    return changes;
  }
  const metadata = em.connection.getMetadata(Item);
  return Object.fromEntries(
    Object.entries(changes).map(([key, value]) => {
      const column = metadata.findColumnWithPropertyName(key);
      return value instanceof Date && column?.type === 'datetime' && !column.precision
        ? [key, new Date(Math.floor(value.getTime() / 1000) * 1000)]
        : [key, value];
    }),
  );
}

/**
 * The UPDATE of one item, written out (on the busy path TypeORM's update builder costs more than
 * the round trip): each property of `set` as its column, a function's value as SQL and any other
 * value as the driver stores it; guarded by the statuses the action starts from and, for a change,
 * the version the checks saw.
 */
function updateStatement(
  em: EntityManager,
  set: QueryDeepPartialEntity<Item>,
  version: number | null,
  id: number,
  from: readonly string[],
): { sql: string; parameters: unknown[] } {
  const { driver } = em.connection;
  const metadata = em.connection.getMetadata(Item);
  const parameters: unknown[] = [];
  const assignments = Object.entries(set).map(([property, value]) => {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) {
      throw new Error(`items has no column for ${property}`);
    }
    if (typeof value === 'function') {
      return `\`${column.databaseName}\` = ${value()}`;
    }
    parameters.push(driver.preparePersistentValue(value, column));
    return `\`${column.databaseName}\` = ?`;
  });
  parameters.push(id, ...from);
  const guard = version === null ? '' : ' AND `version` = ?';
  if (version !== null) {
    parameters.push(version);
  }
  return {
    sql: `UPDATE \`items\` SET ${assignments.join(', ')} WHERE \`id\` = ? AND \`status\` IN (${from.map(() => '?').join(', ')})${guard}`,
    parameters,
  };
}

/** The values a change sets, without those the SQL computes (functions). */
function plainValues(changes: QueryDeepPartialEntity<Item>): Partial<Item> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => typeof value !== 'function'));
}

/** The entries read with the item if they are its whole chain up to its tail (seq 1 … ledgerSeq); otherwise null. */
function entriesUpTo(entries: LedgerEntry[], ledgerSeq: number): LedgerEntry[] | null {
  if (ledgerSeq === 0) {
    return [];
  }
  return entries.length === ledgerSeq && entries.every((e, i) => e.seq === i + 1) ? entries : null;
}
