import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { IndicatorsService } from './indicators.service.js';
import { ProgressService } from './progress.service.js';
import { ReportsController } from './reports.controller.js';
import { StatsService } from './stats.service.js';
import { WorklistsController } from './worklists.controller.js';
import { WorklistsService } from './worklists.service.js';
import { BurndownService } from './burndown.service.js';
import { VillageProgressService } from './village-progress.service.js';

/** Figures for the leadership: the overview, and each sub-district's progress on a campaign (dashboard, bulletin). */
@Module({
  imports: [LedgerModule],
  controllers: [ReportsController, WorklistsController],
  providers: [
    StatsService,
    ProgressService,
    IndicatorsService,
    WorklistsService,
    VillageProgressService,
    BurndownService,
  ],
  exports: [
    StatsService,
    ProgressService,
    IndicatorsService,
    WorklistsService,
    VillageProgressService,
    BurndownService,
  ],
})
export class ReportsModule {}
