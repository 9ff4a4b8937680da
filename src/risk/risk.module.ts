import { Module } from '@nestjs/common';
import { LedgerModule } from '../ledger/ledger.module.js';
import { RiskAlertsService } from './risk-alerts.service.js';
import { RiskController } from './risk.controller.js';
import { RiskRunDispatcher } from './risk-run.dispatcher.js';
import { RiskRunService } from './risk-run.service.js';
import { RiskScheduler } from './risk.scheduler.js';
import { RiskThresholdsService } from './risk-thresholds.service.js';
import { SettlementImportService } from './settlement-import.service.js';
import { SettlementUploadDispatcher } from './settlement-upload.dispatcher.js';
import { SettlementUploadsService } from './settlement-uploads.service.js';

/** 因病返贫致贫预警 from insurance settlements (issue #20, SPEC §6.6); the Bull consumers are RiskWorkerModule's. */
@Module({
  imports: [LedgerModule],
  controllers: [RiskController],
  providers: [
    SettlementImportService,
    SettlementUploadDispatcher,
    SettlementUploadsService,
    RiskThresholdsService,
    RiskRunService,
    RiskRunDispatcher,
    RiskScheduler,
    RiskAlertsService,
  ],
  exports: [
    SettlementImportService,
    SettlementUploadsService,
    RiskThresholdsService,
    RiskRunService,
    RiskRunDispatcher,
    RiskAlertsService,
  ],
})
export class RiskModule {}
