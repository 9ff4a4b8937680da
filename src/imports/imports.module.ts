import { Module } from '@nestjs/common';
import { HouseholdsModule } from '../households/households.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { FindingsController } from './findings.controller.js';
import { FindingsService } from './findings.service.js';
import { HouseholdImportService } from './household-import.service.js';
import { ImportsController } from './imports.controller.js';
import { ImportsDispatcher } from './imports.dispatcher.js';
import { ImportsService } from './imports.service.js';

/** 批量导入 of household rosters (issue #6; the Bull consumer is ImportsWorkerModule's) and 批量登记 of findings (issue #16). */
@Module({
  imports: [HouseholdsModule, LedgerModule],
  controllers: [ImportsController, FindingsController],
  providers: [HouseholdImportService, ImportsService, ImportsDispatcher, FindingsService],
  exports: [HouseholdImportService, ImportsService, FindingsService],
})
export class ImportsModule {}
