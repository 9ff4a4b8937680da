import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { chunk } from '../common/sql.js';
import { canonicalJson, chainAfter, type ChainVerification, verifyChain } from './hash-chain.js';
import { Item } from './item.entity.js';
import { LedgerEntry, type LedgerEntryType } from './ledger-entry.entity.js';

/** Who acted: a user, or the system (id null) for the escalation job. */
export interface LedgerActor {
  id: number | null;
  name: string;
}

export const SYSTEM_ACTOR: LedgerActor = { id: null, name: '系统' };

/**
 * How every writer of the ledger names a user: by id, and by the display name the pages show
 * (姓名, as the ledger tests read it); the id is the stable key when a name changes later.
 */
export function ledgerActorOf(user: Pick<AuthUser, 'id' | 'displayName'>): LedgerActor {
  return { id: user.id, name: user.displayName };
}

/** An entry to append; seq, prevHash and hash are worked out by the ledger. */
export interface NewLedgerEntry {
  type: LedgerEntryType;
  actor: LedgerActor;
  /** ISO instant with milliseconds (Clock.now().toISOString()). */
  at: string;
  note?: string | null;
  /** Stored and hashed as its canonical JSON text. */
  payload?: Record<string, unknown> | null;
}

export interface LedgerEntryView {
  id: number;
  seq: number;
  type: LedgerEntryType;
  actorId: number | null;
  actorName: string;
  at: string;
  note: string | null;
  payload: unknown;
  prevHash: string;
  hash: string;
}

/** A ledger row as it is inserted. */
type ChainedLedgerRow = Omit<LedgerEntry, 'id'>;

/** Item ids per look-up query, and rows per multi-row INSERT (11 parameters each). */
const IDS_PER_QUERY = 5000;
const ROWS_PER_INSERT = 500;

/**
 * The append-only history of items. Every method takes the caller's transaction (`em`): an entry is
 * written together with the change it records, or not at all. Nothing here updates or deletes a row.
 */
@Injectable()
export class LedgerService {
  /**
   * Appends one entry to an item's chain and returns the chain, oldest first, the new entry last.
   * The item's row is locked first, so two writers cannot both chain onto the same entry and fork:
   * append locks it (SELECT … FOR UPDATE on MySQL; SQLite's writers take turns anyway) unless the
   * caller holds the lock already (`itemLocked`: it has updated the row in this transaction). The
   * second writer waits for the first to commit, then (READ COMMITTED, see inTransaction) reads
   * the entries the first wrote. That read takes no lock: locking reads of the ledger index took
   * gap locks that made closes of neighbouring items deadlock under load.
   */
  async append(
    em: EntityManager,
    itemId: number,
    entry: NewLedgerEntry,
    options: { itemLocked?: boolean } = {},
  ): Promise<LedgerEntry[]> {
    if (!options.itemLocked) {
      await this.lockItems(em, [itemId]);
    }
    const chain = await this.entries(em, itemId);
    const [row] = chainAfter(chain.at(-1) ?? null, [this.hashedFields(itemId, entry)]);
    const { identifiers } = await em.insert(LedgerEntry, row);
    return [...chain, { ...row, id: (identifiers[0] as { id: number }).id }];
  }

  /**
   * Appends entries for many items at once (the escalation job, bulk creation): one query locks
   * the items and one reads the last (seq, hash) of each (per 5000 items), the chain is computed
   * here, and the rows go in with multi-row INSERTs. Entries of the same item are chained in the
   * order given. Returns the number of entries written.
   */
  async appendMany(em: EntityManager, entries: readonly (NewLedgerEntry & { itemId: number })[]): Promise<number> {
    if (entries.length === 0) {
      return 0;
    }
    const byItem = new Map<number, (NewLedgerEntry & { itemId: number })[]>();
    for (const entry of entries) {
      byItem.set(entry.itemId, [...(byItem.get(entry.itemId) ?? []), entry]);
    }
    const itemIds = [...byItem.keys()].sort((a, b) => a - b);
    const last = new Map<number, { seq: number; hash: string }>();
    for (const ids of chunk(itemIds, IDS_PER_QUERY)) {
      await this.lockItems(em, ids);
      // The last entry of each item is the one without a successor (seq + 1); a plain read, as in append().
      const rows = await em
        .createQueryBuilder(LedgerEntry, 'l')
        .select(['l.itemId', 'l.seq', 'l.hash'])
        .leftJoin(LedgerEntry, 'n', 'n.itemId = l.itemId AND n.seq = l.seq + 1')
        .where('l.itemId IN (:...ids)', { ids })
        .andWhere('n.id IS NULL')
        .getMany();
      for (const row of rows) {
        if (row.seq > (last.get(row.itemId)?.seq ?? 0)) {
          last.set(row.itemId, { seq: row.seq, hash: row.hash });
        }
      }
    }
    const rows = itemIds.flatMap((itemId) =>
      chainAfter(
        last.get(itemId) ?? null,
        byItem.get(itemId)!.map((entry) => this.hashedFields(itemId, entry)),
      ),
    );
    await this.insert(em, rows);
    return rows.length;
  }

  /** An item's entries, oldest first. */
  entries(em: EntityManager, itemId: number): Promise<LedgerEntry[]> {
    return em.find(LedgerEntry, { where: { itemId }, order: { seq: 'ASC' } });
  }

  /** An item's latest entry of a type, if any. */
  last(em: EntityManager, itemId: number, type: LedgerEntryType): Promise<LedgerEntry | null> {
    return em.findOne(LedgerEntry, { where: { itemId, type }, order: { seq: 'DESC' } });
  }

  /** Recomputes the chain from what the database holds now. An item without any entry has lost its `created` one. */
  async verify(em: EntityManager, itemId: number): Promise<ChainVerification> {
    return this.verifyEntries(await this.entries(em, itemId));
  }

  /** The chain of one item's entries as read (see verify). */
  verifyEntries(entries: readonly LedgerEntry[]): ChainVerification {
    if (entries.length === 0) {
      return { valid: false, entries: 0, firstBrokenSeq: 1 };
    }
    return verifyChain(entries);
  }

  toView(entry: LedgerEntry): LedgerEntryView {
    const { id, seq, type, actorId, actorName, at, note, payload, prevHash, hash } = entry;
    return {
      id,
      seq,
      type,
      actorId,
      actorName,
      at,
      note,
      payload: payload === null ? null : (JSON.parse(payload) as unknown),
      prevHash,
      hash,
    };
  }

  private hashedFields(itemId: number, entry: NewLedgerEntry): Omit<ChainedLedgerRow, 'seq' | 'prevHash' | 'hash'> {
    return {
      itemId,
      type: entry.type,
      actorId: entry.actor.id,
      actorName: entry.actor.name,
      at: entry.at,
      note: entry.note ?? null,
      payload: entry.payload ? canonicalJson(entry.payload) : null,
    };
  }

  /** On MySQL, SELECT … FOR UPDATE of the items, in id order; SQLite's writers take turns (inTransaction). */
  private async lockItems(em: EntityManager, ids: number[]): Promise<void> {
    const qb = em.createQueryBuilder(Item, 'i').select('i.id').where('i.id IN (:...ids)', { ids }).orderBy('i.id');
    await (em.connection.options.type === 'mysql' ? qb.setLock('pessimistic_write') : qb).getRawMany();
  }

  private async insert(em: EntityManager, rows: ChainedLedgerRow[]): Promise<void> {
    for (const part of chunk(rows, ROWS_PER_INSERT)) {
      await em.createQueryBuilder().insert().into(LedgerEntry).values(part).updateEntity(false).execute();
    }
  }
}
