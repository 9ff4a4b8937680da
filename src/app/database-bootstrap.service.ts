import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { UsersService } from '../auth/users.service.js';
import { AppConfig } from '../config/app-config.js';
import { DemoLoader } from './demo/demo-loader.service.js';

const LOCK = 'hpa_bootstrap';

/**
 * At start: runs pending migrations, creates the first admin, and loads the demo district into an
 * empty database. On MySQL this holds a named lock, so instances starting together take turns.
 */
@Injectable()
export class DatabaseBootstrap implements OnModuleInit {
  private readonly logger = new Logger(DatabaseBootstrap.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly demo: DemoLoader,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.withLock(async () => {
      const applied = await this.db.runMigrations({ transaction: 'each' });
      if (applied.length > 0) {
        this.logger.log(`applied migrations: ${applied.map((m) => m.name).join(', ')}`);
      }
      await this.users.ensureAdmin(this.config.ADMIN_PASSWORD);
      if (this.config.demoData) {
        await this.demo.loadIfEmpty();
      }
    });
  }

  private async withLock(work: () => Promise<void>): Promise<void> {
    if (this.db.options.type !== 'mysql') {
      return work();
    }
    const runner = this.db.createQueryRunner();
    try {
      await runner.query('SELECT GET_LOCK(?, 300)', [LOCK]);
      await work();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [LOCK]).catch(() => undefined);
      await runner.release();
    }
  }
}
