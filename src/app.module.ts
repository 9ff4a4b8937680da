import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module.js';
import { ChecksModule } from './checks/checks.module.js';
import { CommonModule } from './common/common.module.js';
import { AppConfig } from './config/app-config.js';
import { ensureJwtSecret } from './config/jwt-secret.js';
import { DatabaseBootstrap } from './database/database-bootstrap.service.js';
import { DatabaseModule } from './database/database.module.js';
import { DemoModule } from './demo/demo.module.js';
import { EscalationModule } from './escalation/escalation.module.js';
import { HealthController } from './system/health.controller.js';
import { StartupSafety } from './system/startup-safety.js';
import { HealthModule } from './health/health.module.js';
import { HouseholdsModule } from './households/households.module.js';
import { ImportsModule } from './imports/imports.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { QueueModule } from './queue/queue.module.js';
import { ReconciliationModule } from './reconciliation/reconciliation.module.js';
import { RegionsModule } from './regions/regions.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { WebModule } from './web/web.module.js';

@Module({})
export class AppModule {
  /** The whole application for a validated configuration (main.ts and the tests build it the same way). */
  static forRoot(config: AppConfig): DynamicModule {
    // Tokens, CSRF tokens and the reconciliation's keyed hashes need a secret: the configured one,
    // else this data directory's generated one.
    ensureJwtSecret(config);
    return {
      module: AppModule,
      global: true,
      imports: [
        CommonModule,
        DatabaseModule,
        QueueModule.forRoot(config),
        AuthModule,
        RegionsModule,
        HouseholdsModule,
        HealthModule,
        LedgerModule,
        ChecksModule,
        NotificationsModule,
        EscalationModule.register(config),
        ImportsModule.register(config),
        ReconciliationModule.register(config),
        ReportsModule,
        DemoModule,
        WebModule,
      ],
      controllers: [HealthController],
      providers: [{ provide: AppConfig, useValue: config }, DatabaseBootstrap, StartupSafety],
      exports: [AppConfig],
    };
  }
}
