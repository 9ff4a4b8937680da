import { Module } from '@nestjs/common';
import { HouseholdImportService } from './household-import.service.js';
import { ImportsController } from './imports.controller.js';
import { ImportsDispatcher } from './imports.dispatcher.js';
import { ImportsService } from './imports.service.js';

/** 批量导入 of household rosters (issue #6); the Bull consumer is ImportsWorkerModule's. */
@Module({
  controllers: [ImportsController],
  providers: [HouseholdImportService, ImportsService, ImportsDispatcher],
  exports: [HouseholdImportService, ImportsService],
})
export class ImportsModule {}
