import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { chunk } from '../common/sql.js';
import { canonicalJson, chainAfter, type ChainedEntry, type ChainVerification, verifyChain } from './hash-chain.js';
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
export type ChainedLedgerRow = Omit<LedgerEntry, 'id'>;

/** Item ids per look-up query, and rows per multi-row INSERT (10 parameters each). */
const IDS_PER_QUERY = 5000;
const ROWS_PER_INSERT = 500;

/** The columns of an inserted row (all but the generated id), in the order `insert` writes them. */
export const INSERTED_COLUMNS = [
  'itemId',
  'seq',
  'type',
  'actorId',
  'actorName',
  'at',
  'note',
  'payload',
  'prevHash',
  'hash',
] as const satisfies readonly (keyof ChainedLedgerRow)[];

/** One row's INSERT (ItemChanges: a change of one item). */
const INSERT_ONE = `INSERT INTO ledger_entries (${INSERTED_COLUMNS.join(', ')}) VALUES (${INSERTED_COLUMNS.map(() => '?').join(', ')})`;

/**
 * The append-only history of items. Every method takes the caller's transaction (`em`): an entry is
 * written together with the change it records, or not at all. Nothing here updates or deletes a row.
 */
@Injectable()
export class LedgerService {
  /**
   * Appends one entry to an item's chain and returns it. The chain's tail (the seq and hash of the
   * item's last entry) is kept on the item row: append reads it with the row locked (SELECT … FOR
   * UPDATE on MySQL; SQLite's writers take turns anyway), so two writers cannot both chain onto the
   * same entry and fork; the second waits for the first to commit, then reads the tail the first
   * left (a locking read sees the latest committed row whatever the isolation level). The ledger
   * itself is not read: locking reads of its index took gap locks that made closes of neighbouring
   * items deadlock under load. The tail moves in the same transaction as the insert.
   */
  async append(em: EntityManager, itemId: number, entry: NewLedgerEntry): Promise<LedgerEntry> {
    const [tail] = await this.lockTails(em, [itemId]);
    if (!tail) {
      throw new Error(`item ${itemId} not found`);
    }
    const row = this.chain(tail, entry);
    await this.setTails(em, [row]);
    return this.insertOne(em, row);
  }

  /**
   * The next entry of an item whose tail the caller has read under the item's row lock (ItemChanges,
   * the escalation job): seq, prevHash and hash worked out; nothing written. The caller inserts it
   * (insertOne / insert) and moves the item's tail to it in the same transaction.
   */
  chain(tail: ChainTail, entry: NewLedgerEntry): ChainedLedgerRow {
    const [row] = chainAfter({ seq: tail.ledgerSeq, hash: tail.ledgerHash }, [this.hashedFields(tail.id, entry)]);
    return row;
  }

  /**
   * Inserts one chained row (see chain) and returns it with its id: one INSERT written out (a
   * change of one item is on the busy path: TypeORM's insert builder costs more than the round trip).
   */
  async insertOne(em: EntityManager, row: ChainedLedgerRow): Promise<LedgerEntry> {
    const { raw } = (await em.queryRunner!.query(
      INSERT_ONE,
      INSERTED_COLUMNS.map((column) => row[column]),
      true,
    )) as { raw: unknown };
    // mysql2 answers with a header holding insertId; better-sqlite3 with the row id itself.
    const id = Number(typeof raw === 'object' && raw !== null ? (raw as { insertId: number }).insertId : raw);
    return { ...row, id };
  }

  /**
   * Appends entries for many items at once (bulk creation, follow-ups): one query locks the items
   * and reads their tails (per 5000 items), the chain is computed here, the rows go in with
   * multi-row INSERTs and the tails move with one UPDATE per 5000 items. Entries of the same item
   * are chained in the order given. Returns the number of entries written.
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
    const tails = new Map<number, ChainTail>();
    for (const ids of chunk(itemIds, IDS_PER_QUERY)) {
      for (const tail of await this.lockTails(em, ids)) {
        tails.set(tail.id, tail);
      }
    }
    const rows = itemIds.flatMap((itemId) => {
      const tail = tails.get(itemId);
      if (!tail) {
        throw new Error(`item ${itemId} not found`);
      }
      return chainAfter(
        { seq: tail.ledgerSeq, hash: tail.ledgerHash },
        byItem.get(itemId)!.map((entry) => this.hashedFields(itemId, entry)),
      );
    });
    await this.insert(em, rows);
    await this.setTails(em, rows);
    return rows.length;
  }

  /**
   * Moves the items' tails to the last of these rows per item: one UPDATE per 5000 items (a CASE on
   * the id). The caller holds the items' row locks.
   */
  async setTails(em: EntityManager, rows: readonly Pick<ChainedLedgerRow, 'itemId' | 'seq' | 'hash'>[]): Promise<void> {
    const last = new Map<number, { seq: number; hash: string }>();
    for (const row of rows) {
      if (row.seq > (last.get(row.itemId)?.seq ?? 0)) {
        last.set(row.itemId, row);
      }
    }
    for (const ids of chunk([...last.keys()], IDS_PER_QUERY)) {
      const set = tailSet(ids.map((id) => ({ id, ...last.get(id)! })));
      await em
        .createQueryBuilder()
        .update(Item)
        .set({ ledgerSeq: () => set.seq, ledgerHash: () => set.hash })
        .where(`id IN (${ids.map(sqlInt).join(',')})`)
        .execute();
    }
  }

  /**
   * Inserts chained rows with multi-row INSERTs (500 rows each), written as plain SQL with `?`
   * parameters: the query builder's per-value parameter bookkeeping cost more than the insert itself
   * for the escalation job's hundreds of thousands of rows.
   */
  async insert(em: EntityManager, rows: readonly ChainedLedgerRow[]): Promise<void> {
    const table = em.connection.getMetadata(LedgerEntry).tableName;
    const placeholders = `(${INSERTED_COLUMNS.map(() => '?').join(', ')})`;
    for (const part of chunk([...rows], ROWS_PER_INSERT)) {
      await em.query(
        `INSERT INTO ${table} (${INSERTED_COLUMNS.join(', ')}) VALUES ${part.map(() => placeholders).join(', ')}`,
        part.flatMap((row) => INSERTED_COLUMNS.map((column) => row[column])),
      );
    }
  }

  /** An item's entries, oldest first. */
  entries(em: EntityManager, itemId: number): Promise<LedgerEntry[]> {
    return em.find(LedgerEntry, { where: { itemId }, order: { seq: 'ASC' } });
  }

  /**
   * Recomputes the chain from what the database holds now, and holds it against the tail the item
   * keeps. An item without any entry has lost its `created` one.
   */
  async verify(em: EntityManager, itemId: number): Promise<ChainVerification> {
    const tail = await em.findOne(Item, {
      select: { id: true, ledgerSeq: true, ledgerHash: true },
      where: { id: itemId },
    });
    return this.verifyEntries(await this.entries(em, itemId), tail ?? undefined);
  }

  /** The chain of one item's entries as read (see verify), and, given the item's tail, whether it ends there. */
  verifyEntries(
    entries: readonly LedgerEntry[],
    tail?: Pick<ChainTail, 'ledgerSeq' | 'ledgerHash'>,
  ): ChainVerification {
    return verifyWithTail(entries, tail);
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

  /** The items' tails, read under their row locks (MySQL: SELECT … FOR UPDATE, in id order; SQLite's writers take turns). */
  private async lockTails(em: EntityManager, ids: number[]): Promise<ChainTail[]> {
    const qb = em
      .createQueryBuilder(Item, 'i')
      .select(['i.id', 'i.ledgerSeq', 'i.ledgerHash'])
      .where('i.id IN (:...ids)', { ids })
      .orderBy('i.id');
    return (em.connection.options.type === 'mysql' ? qb.setLock('pessimistic_write') : qb).getMany();
  }
}

/** The tail of an item's chain as the item row keeps it. */
export type ChainTail = Pick<Item, 'id' | 'ledgerSeq' | 'ledgerHash'>;

/**
 * `CASE id WHEN 1 THEN 7 … END` for ledgerSeq and ledgerHash: the new tail of each item, for an
 * UPDATE of these items (the escalation job adds it to its level UPDATE).
 */
export function tailSet(tails: readonly { id: number; seq: number; hash: string }[]): { seq: string; hash: string } {
  const hashOf = (hash: string) => {
    if (!/^[0-9a-f]{64}$/.test(hash)) {
      throw new Error(`not a chain hash: ${hash}`);
    }
    return `'${hash}'`;
  };
  return {
    seq: `(CASE id ${tails.map((t) => `WHEN ${sqlInt(t.id)} THEN ${sqlInt(t.seq)}`).join(' ')} END)`,
    hash: `(CASE id ${tails.map((t) => `WHEN ${sqlInt(t.id)} THEN ${hashOf(t.hash)}`).join(' ')} END)`,
  };
}

/** Ids and seqs go into the SQL text (thousands per statement, beyond some drivers' parameter limits): integers only. */
export function sqlInt(value: number): string {
  if (!Number.isSafeInteger(value)) {
    throw new Error(`not an integer: ${value}`);
  }
  return String(value);
}

/**
 * An item's chain recomputed (verifyChain), then held against the tail the item row keeps: a chain
 * that ends elsewhere was cut short, added to behind the ledger's back, or forked. The first broken
 * seq is then the entry after the shorter of the two ends, or the last entry when both end at the
 * same seq with different hashes.
 */
export function verifyWithTail(
  entries: readonly ChainedEntry[],
  tail?: Pick<ChainTail, 'ledgerSeq' | 'ledgerHash'>,
): ChainVerification {
  if (entries.length === 0) {
    return { valid: false, entries: 0, firstBrokenSeq: 1 };
  }
  const chain = verifyChain(entries);
  if (!chain.valid || !tail) {
    return chain;
  }
  const last = entries.reduce((a, b) => (b.seq > a.seq ? b : a));
  if (last.seq === tail.ledgerSeq && last.hash === tail.ledgerHash) {
    return chain;
  }
  const firstBrokenSeq = last.seq === tail.ledgerSeq ? last.seq : Math.min(last.seq, tail.ledgerSeq) + 1;
  return { valid: false, entries: chain.entries, firstBrokenSeq };
}
