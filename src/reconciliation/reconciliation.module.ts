import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { EnrollmentApplyService } from './enrollment-apply.service.js';
import { ReconciliationRunner } from './reconciliation-runner.service.js';
import { ReconciliationController } from './reconciliation.controller.js';
import { ReconciliationDispatcher } from './reconciliation.dispatcher.js';
import { ReconciliationService } from './reconciliation.service.js';
import { PovertyApplyService } from './poverty-apply.service.js';
import { RegistryApplyRunner } from './registry-apply-runner.js';

/** 数据比对 of the insurance roster (issue #6) and the poverty office's register (issue #19) against the registry; the Bull consumer is ReconciliationWorkerModule's. */
@Module({
  imports: [LedgerModule],
  controllers: [ReconciliationController],
  providers: [
    ReconciliationRunner,
    ReconciliationService,
    EnrollmentApplyService,
    PovertyApplyService,
    RegistryApplyRunner,
    ReconciliationDispatcher,
  ],
  exports: [ReconciliationRunner, ReconciliationService, EnrollmentApplyService, PovertyApplyService],
})
export class ReconciliationModule {}
