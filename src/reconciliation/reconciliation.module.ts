import { Module } from '@nestjs/common';
import { HouseholdsModule } from '../households/households.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { DiscrepancyItemsService } from './discrepancy-items.service.js';
import { EnrollmentApplyService } from './enrollment-apply.service.js';
import { ReconciliationRunner } from './reconciliation-runner.service.js';
import { ReconciliationController } from './reconciliation.controller.js';
import { ReconciliationDispatcher } from './reconciliation.dispatcher.js';
import { ReconciliationService } from './reconciliation.service.js';
import { PovertyApplyService } from './poverty-apply.service.js';
import { RegistryApplyRunner } from './registry-apply-runner.js';
import { RegistryChangesController } from './registry-changes.controller.js';
import { RegistryChangesService } from './registry-changes.service.js';

/** 数据比对 of the insurance roster (issue #6) and the poverty office's register (issue #19) against the registry; the Bull consumer is ReconciliationWorkerModule's. */
@Module({
  imports: [LedgerModule, HouseholdsModule],
  controllers: [ReconciliationController, RegistryChangesController],
  providers: [
    ReconciliationRunner,
    ReconciliationService,
    DiscrepancyItemsService,
    EnrollmentApplyService,
    PovertyApplyService,
    RegistryApplyRunner,
    RegistryChangesService,
    ReconciliationDispatcher,
  ],
  exports: [
    ReconciliationRunner,
    ReconciliationService,
    DiscrepancyItemsService,
    EnrollmentApplyService,
    PovertyApplyService,
    RegistryChangesService,
  ],
})
export class ReconciliationModule {}
