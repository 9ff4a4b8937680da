import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { QUEUES } from '../queue/queues.js';
import { UploadJobDispatcher } from '../uploads/upload-job-dispatcher.js';
import { ReconciliationRunner } from './reconciliation-runner.service.js';
import { Reconciliation } from './reconciliation.entity.js';

export interface ReconciliationJobData {
  reconciliationId: number;
}

/** Starts reconciliation runs (see UploadJobDispatcher): a Bull job with Redis, in this process without. */
@Injectable()
export class ReconciliationDispatcher extends UploadJobDispatcher<Reconciliation, ReconciliationJobData> {
  constructor(
    @InjectDataSource() db: DataSource,
    runner: ReconciliationRunner,
    config: AppConfig,
    @Optional() @InjectQueue(QUEUES.reconciliations) queue?: Queue<ReconciliationJobData>,
  ) {
    super(
      new Logger('Reconciliation'),
      'reconciliation',
      Reconciliation,
      (reconciliationId) => ({ reconciliationId }),
      db,
      runner,
      config,
      queue,
    );
  }
}
