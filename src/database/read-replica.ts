import type { DataSource, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Runs a read-heavy query on a MySQL read replica when DB_READ_HOSTS configures some (reads
 * default to the primary, so a request always sees its own writes); on the primary otherwise.
 */
export async function onReplica<T extends ObjectLiteral, R>(
  db: DataSource,
  qb: SelectQueryBuilder<T>,
  read: (qb: SelectQueryBuilder<T>) => Promise<R>,
): Promise<R> {
  if (db.options.type !== 'mysql' || !db.options.replication) {
    return read(qb);
  }
  const runner = db.createQueryRunner('slave');
  try {
    return await read(qb.setQueryRunner(runner));
  } finally {
    await runner.release();
  }
}
