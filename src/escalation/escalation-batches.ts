import type { EntityManager } from 'typeorm';
import type { EscalationLevel } from '../ledger/escalation-policy.js';
import { Item } from '../ledger/item.entity.js';

/**
 * Sets each item's level and chain tail from a table of the new values, joined on the id: one
 * UPDATE whose cost grows with the rows it changes (a `CASE id WHEN …` per column is searched
 * branch by branch for every row, thousands of times per batch). The join only raises, and never a
 * closed item. Returns the rows changed (undefined where the driver does not say).
 */
export async function raiseLevels(
  em: EntityManager,
  targets: readonly { id: number; to: EscalationLevel; seq: number; hash: string }[],
): Promise<number | undefined> {
  const table = em.connection.getMetadata(Item).tableName;
  const params = targets.flatMap((t) => [t.id, t.to, t.seq, t.hash]);
  // MySQL names a derived table's columns by its first SELECT; SQLite names a VALUES list's column1 … column4.
  const sql =
    em.connection.options.type === 'mysql'
      ? `UPDATE ${table} i JOIN (${targets.map((_, k) => (k === 0 ? 'SELECT ? AS id, ? AS level, ? AS seq, ? AS hash' : 'SELECT ?, ?, ?, ?')).join(' UNION ALL ')}) t ON t.id = i.id
         SET i.escalationLevel = t.level, i.ledgerSeq = t.seq, i.ledgerHash = t.hash
         WHERE i.status <> 'closed' AND i.escalationLevel < t.level`
      : `UPDATE ${table} SET escalationLevel = t.column2, ledgerSeq = t.column3, ledgerHash = t.column4
         FROM (VALUES ${targets.map(() => '(?, ?, ?, ?)').join(', ')}) AS t
         WHERE t.column1 = ${table}.id AND ${table}.status <> 'closed' AND ${table}.escalationLevel < t.column2`;
  const runner = em.queryRunner;
  if (!runner) {
    throw new Error('raiseLevels runs in a transaction');
  }
  const result = await runner.query(sql, params, true);
  return result.affected ?? undefined;
}

/**
 * Runs `work` on each window with two at a time: while one batch's writes are with the database,
 * the next one's rows are locked, its levels, hashes and notices worked out (the windows are
 * disjoint ranges of ids, so the two lock different rows; each locks its items before the run's row).
 * On a failure the other batch is let finish before the error is thrown.
 */
export async function inPairs<T>(windows: readonly T[], work: (window: T) => Promise<void>): Promise<void> {
  let previous: Promise<void> | null = null;
  for (const window of windows) {
    const next = work(window);
    // Handled here so that its failure while the previous batch is awaited is not an unhandled rejection.
    next.catch(() => undefined);
    if (previous) {
      try {
        await previous;
      } catch (error) {
        await next.catch(() => undefined);
        throw error;
      }
    }
    previous = next;
  }
  await previous;
}
