import { Module } from '@nestjs/common';
import { ChecksModule } from '../../checks/checks.module.js';
import { LedgerModule } from '../../ledger/ledger.module.js';
import { DemoLoader } from './demo-loader.service.js';
import { DemoRosterController } from './demo-roster.controller.js';

@Module({
  imports: [LedgerModule, ChecksModule],
  controllers: [DemoRosterController],
  providers: [DemoLoader],
  exports: [DemoLoader],
})
export class DemoModule {}
