import type { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/** The last transaction queued per SQLite database: keyed by its file, so that two DataSources on one file take turns too. */
const tails = new Map<unknown, Promise<unknown>>();

/**
 * better-sqlite3 waits for a lock synchronously: a second DataSource on the same file in this process
 * (two app instances in one test, a worker beside the API) would block the event loop while the first
 * is between two statements of its transaction, and neither could go on. So the queue is per file;
 * an in-memory database is its DataSource's own.
 */
const queueKey = (db: DataSource): unknown => {
  const file = db.options.database;
  return typeof file === 'string' && file !== ':memory:' ? file : db;
};

/**
 * Runs `work` in one transaction. TypeORM's better-sqlite3 driver has a single connection: two
 * transactions started at once nest as savepoints of each other, and one's rollback undoes the
 * other's writes. So on SQLite transactions take turns here (one promise chain per database file);
 * on MySQL each gets its own pooled connection, at READ COMMITTED unless `isolation` says `default`.
 * Never call it from inside `work`.
 */
export function inTransaction<T>(
  db: DataSource,
  work: (em: EntityManager) => Promise<T>,
  options: { isolation?: 'read committed' | 'default' } = {},
): Promise<T> {
  if (db.options.type !== 'better-sqlite3') {
    // READ COMMITTED: a read after a row lock sees what the lock's previous holder committed
    // (REPEATABLE READ would show the transaction's older snapshot), and plain reads take no gap locks.
    // `default` saves the SET TRANSACTION round trip for a caller whose reads are safe at the server's
    // level (ItemChanges: each explains why).
    return options.isolation === 'default'
      ? retryingDeadlocks(() => db.transaction(work))
      : db.transaction('READ COMMITTED', work);
  }
  const key = queueKey(db);
  const run = (tails.get(key) ?? Promise.resolve()).then(() => db.transaction(work));
  tails.set(
    key,
    run.catch(() => undefined),
  );
  return run;
}

/** Attempts of a transaction that InnoDB chose as a deadlock's victim (rolled back whole, so safe to run again). */
const DEADLOCK_ATTEMPTS = 6;

/** The longest pause before another attempt, in ms: a random pause up to it, so that the victims do not meet again at once. */
const DEADLOCK_PAUSE_MS = 20;

/** Whether `error` is InnoDB's deadlock (errno 1213), as the driver or TypeORM raises it. */
export function isDeadlock(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) {
    return false;
  }
  const { errno, driverError } = error as { errno?: number; driverError?: { errno?: number } };
  return errno === 1213 || driverError?.errno === 1213;
}

/**
 * At the server's level (REPEATABLE READ on MariaDB) the `item_counts` triggers' first insert of a
 * count row takes a gap lock, and two changes that create neighbouring count rows at once can
 * deadlock; InnoDB rolls one back whole, and it is run again, as the manual advises, after a short
 * random pause (in a burst of closes — 16 connections in the HTTP bench — victims run again at once
 * met again and ran out of attempts). Only for the `default` isolation's callers (ItemChanges),
 * whose work writes nothing outside the transaction.
 */
async function retryingDeadlocks<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * DEADLOCK_PAUSE_MS * tries));
    }
  }
}

/**
 * Records why a run (a row of `entity` with `durationMs` and `error`) failed, in a transaction of its
 * own; a failure to record it is not the run's error, so it is swallowed.
 */
export async function recordRunFailure(
  db: DataSource,
  entity: EntityTarget<ObjectLiteral>,
  runId: number,
  durationMs: number,
  error: unknown,
): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  await inTransaction(db, (em) => em.update(entity, runId, { durationMs, error: message.slice(0, 500) })).catch(
    () => undefined,
  );
}
