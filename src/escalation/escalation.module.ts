import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { EscalationController } from './escalation.controller.js';
import { EscalationProcessor } from './escalation.processor.js';
import { EscalationScheduler } from './escalation.scheduler.js';
import { EscalationRuns } from './escalation-runs.service.js';
import { EscalationService } from './escalation.service.js';

/** The May-deadline escalation job (issue #5): policy, service, schedule, queue worker and routes. */
@Module({})
export class EscalationModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: EscalationModule,
      imports: [LedgerModule, NotificationsModule],
      controllers: [EscalationController],
      providers: [
        EscalationService,
        EscalationRuns,
        EscalationScheduler,
        // Consumes the queue only where this instance works queues (with Redis, APP_ROLE worker or all).
        ...(QueueModule.runsWorkers(config) ? [EscalationProcessor] : []),
      ],
      exports: [EscalationService, EscalationScheduler],
    };
  }
}
