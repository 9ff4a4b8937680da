import type { DataSource, EntityManager } from 'typeorm';

const tails = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in one transaction. TypeORM's better-sqlite3 driver has a single connection: two
 * transactions started at once nest as savepoints of each other, and one's rollback undoes the
 * other's writes. So on SQLite transactions take turns here (one promise chain per DataSource);
 * on MySQL each gets its own pooled connection as usual. Never call it from inside `work`.
 */
export function inTransaction<T>(db: DataSource, work: (em: EntityManager) => Promise<T>): Promise<T> {
  if (db.options.type !== 'better-sqlite3') {
    return db.transaction(work);
  }
  const run = (tails.get(db) ?? Promise.resolve()).then(() => db.transaction(work));
  tails.set(
    db,
    run.catch(() => undefined),
  );
  return run;
}
