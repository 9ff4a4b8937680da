import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { QUEUES } from '../queue/queues.js';
import { UploadJobDispatcher } from '../uploads/upload-job-dispatcher.js';
import { SettlementImportService } from './settlement-import.service.js';
import { SettlementUpload } from './settlement-upload.entity.js';

export interface SettlementUploadJobData {
  uploadId: number;
}

/** Starts settlement upload runs (see UploadJobDispatcher): a Bull job with Redis, in this process without. */
@Injectable()
export class SettlementUploadDispatcher extends UploadJobDispatcher<SettlementUpload, SettlementUploadJobData> {
  constructor(
    @InjectDataSource() db: DataSource,
    runner: SettlementImportService,
    config: AppConfig,
    @Optional() @InjectQueue(QUEUES.riskSettlements) queue?: Queue<SettlementUploadJobData>,
  ) {
    super(
      new Logger('RiskSettlements'),
      'settlement-upload',
      SettlementUpload,
      (uploadId) => ({ uploadId }),
      db,
      runner,
      config,
      queue,
    );
  }
}
