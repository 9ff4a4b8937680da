import { Module } from '@nestjs/common';
import { ChecksModule } from '../../checks/checks.module.js';
import { LedgerModule } from '../../ledger/ledger.module.js';
import { DemoCloseRequests } from './demo-close-requests.js';
import { DemoLoader } from './demo-loader.service.js';

@Module({
  imports: [LedgerModule, ChecksModule],
  providers: [DemoLoader, DemoCloseRequests],
  exports: [DemoLoader],
})
export class DemoModule {}
