import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { QueueModule } from '../queue/queue.module.js';
import { HouseholdImportService } from './household-import.service.js';
import { ImportsController } from './imports.controller.js';
import { ImportsDispatcher } from './imports.dispatcher.js';
import { ImportsProcessor } from './imports.processor.js';
import { ImportsService } from './imports.service.js';

/** 批量导入 of household rosters (issue #6); the Bull consumer only where this process runs workers. */
@Module({})
export class ImportsModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: ImportsModule,
      controllers: [ImportsController],
      providers: [
        HouseholdImportService,
        ImportsService,
        ImportsDispatcher,
        ...(QueueModule.runsWorkers(config) ? [ImportsProcessor] : []),
      ],
    };
  }
}
