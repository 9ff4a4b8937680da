import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { QueueModule } from '../queue/queue.module.js';
import { EnrollmentApplyService } from './enrollment-apply.service.js';
import { ReconciliationRunner } from './reconciliation-runner.service.js';
import { ReconciliationController } from './reconciliation.controller.js';
import { ReconciliationDispatcher } from './reconciliation.dispatcher.js';
import { ReconciliationProcessor } from './reconciliation.processor.js';
import { ReconciliationService } from './reconciliation.service.js';

/** 数据比对 of the insurance roster against the registry (issue #6); the Bull consumer only where workers run. */
@Module({})
export class ReconciliationModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ReconciliationModule,
      imports: [LedgerModule],
      controllers: [ReconciliationController],
      providers: [
        ReconciliationRunner,
        ReconciliationService,
        EnrollmentApplyService,
        ReconciliationDispatcher,
        ...(QueueModule.runsWorkers(config) ? [ReconciliationProcessor] : []),
      ],
    };
  }
}
