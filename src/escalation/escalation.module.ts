import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { EscalationController } from './escalation.controller.js';
import { EscalationScheduler } from './escalation.scheduler.js';
import { EscalationRuns } from './escalation-runs.service.js';
import { EscalationService } from './escalation.service.js';

/** The May-deadline escalation job (issue #5): policy, service, run history, schedule and routes; the consumer is EscalationWorkerModule's. */
@Module({
  imports: [LedgerModule, NotificationsModule],
  controllers: [EscalationController],
  providers: [EscalationService, EscalationRuns, EscalationScheduler],
  exports: [EscalationService, EscalationRuns, EscalationScheduler],
})
export class EscalationModule {}
