import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { EnrollmentApplyService } from './enrollment-apply.service.js';
import { ReconciliationRunner } from './reconciliation-runner.service.js';
import { ReconciliationController } from './reconciliation.controller.js';
import { ReconciliationDispatcher } from './reconciliation.dispatcher.js';
import { ReconciliationService } from './reconciliation.service.js';

/** 数据比对 of the insurance roster against the registry (issue #6); the Bull consumer is ReconciliationWorkerModule's. */
@Module({
  imports: [LedgerModule],
  controllers: [ReconciliationController],
  providers: [ReconciliationRunner, ReconciliationService, EnrollmentApplyService, ReconciliationDispatcher],
  exports: [ReconciliationRunner, ReconciliationService, EnrollmentApplyService],
})
export class ReconciliationModule {}
