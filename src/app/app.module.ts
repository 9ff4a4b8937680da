import { type DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { ChecksModule } from '../checks/checks.module.js';
import { CommonModule } from '../common/common.module.js';
import { AppConfig } from '../config/app-config.js';
import { ensureJwtSecret } from '../config/jwt-secret.js';
import { DatabaseBootstrap } from './database-bootstrap.service.js';
import { DatabaseModule } from './database.module.js';
import { DemoModule } from './demo/demo.module.js';
import { EscalationWorkerModule } from '../escalation/escalation-worker.module.js';
import { EscalationModule } from '../escalation/escalation.module.js';
import { HealthController } from './health.controller.js';
import { StartupSafety } from './startup-safety.js';
import { HealthModule } from '../health/health.module.js';
import { HouseholdsModule } from '../households/households.module.js';
import { ImportsWorkerModule } from '../imports/imports-worker.module.js';
import { ImportsModule } from '../imports/imports.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { ReconciliationWorkerModule } from '../reconciliation/reconciliation-worker.module.js';
import { ReconciliationModule } from '../reconciliation/reconciliation.module.js';
import { RegionsModule } from '../regions/regions.module.js';
import { RiskWorkerModule } from '../risk/risk-worker.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { ReportsModule } from '../reports/reports.module.js';
import { WebModule } from '../web/web.module.js';

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
        EscalationModule,
        ImportsModule,
        ReconciliationModule,
        RiskModule,
        ReportsModule,
        DemoModule,
        WebModule,
        // The Bull consumers, only where this instance works queues (with Redis, APP_ROLE worker or all).
        ...(QueueModule.runsWorkers(config)
          ? [EscalationWorkerModule, ImportsWorkerModule, ReconciliationWorkerModule, RiskWorkerModule]
          : []),
      ],
      controllers: [HealthController],
      providers: [{ provide: AppConfig, useValue: config }, DatabaseBootstrap, StartupSafety],
      exports: [AppConfig],
    };
  }
}
