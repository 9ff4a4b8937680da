import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from 'typeorm';
import { isDeadlock } from './transaction.js';

/** TypeORM's errors and warnings through the app's logger, which redacts ID numbers; parameters are never printed. */
export class TypeOrmLogger implements Logger {
  private readonly logger = new NestLogger('Database');

  logQuery(): void {}

  /**
   * A failed query. A deadlock is a warning: InnoDB rolled back a whole transaction, which the callers
   * that may meet one run again (`inTransaction`); one that still fails reaches its caller, whose
   * failure is logged as an error there.
   */
  logQueryError(error: string | Error, query: string): void {
    const message = error instanceof Error ? error.message : error;
    if (isDeadlock(error)) {
      this.logger.warn(`deadlock, transaction rolled back: ${message} — ${query}`);
      return;
    }
    this.logger.error(`query failed: ${message} — ${query}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query (${time} ms): ${query}`);
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') {
      this.logger.warn(String(message));
    }
  }
}
