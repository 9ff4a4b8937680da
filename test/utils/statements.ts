import type { DataSource } from 'typeorm';

/**
 * Runs `action` and answers, beside its result, every statement the DataSource sent meanwhile
 * (START TRANSACTION and COMMIT included): each goes through the DataSource's logger.
 */
export async function statementsSent<T>(
  db: DataSource,
  action: () => Promise<T>,
): Promise<{ result: T; sent: string[] }> {
  const sent: string[] = [];
  const logger = db.logger;
  const counting = Object.create(logger) as typeof logger;
  counting.logQuery = (query, parameters, runner) => {
    sent.push(query);
    logger.logQuery(query, parameters, runner);
  };
  Object.assign(db, { logger: counting });
  try {
    return { result: await action(), sent };
  } finally {
    Object.assign(db, { logger });
  }
}
