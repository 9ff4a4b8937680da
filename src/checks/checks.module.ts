import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { ChecksController } from './checks.controller.js';
import { CheckRuns } from './check-runs.service.js';
import { ChecksService } from './checks.service.js';

/** 查漏补缺: gap rules over the health records that open remediation items. */
@Module({
  imports: [HealthModule, LedgerModule],
  controllers: [ChecksController],
  providers: [ChecksService, CheckRuns],
  exports: [ChecksService, CheckRuns],
})
export class ChecksModule {}
