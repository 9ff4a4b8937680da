import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { QUEUES } from '../queue/queues.js';
import { UploadJobDispatcher } from '../uploads/upload-job-dispatcher.js';
import { HouseholdImportService } from './household-import.service.js';
import { ImportJob } from './import-job.entity.js';

export interface ImportJobData {
  importId: number;
}

/** Starts import runs (see UploadJobDispatcher): a Bull job with Redis, in this process without. */
@Injectable()
export class ImportsDispatcher extends UploadJobDispatcher<ImportJob, ImportJobData> {
  constructor(
    @InjectDataSource() db: DataSource,
    runner: HouseholdImportService,
    config: AppConfig,
    @Optional() @InjectQueue(QUEUES.imports) queue?: Queue<ImportJobData>,
  ) {
    super(new Logger('Imports'), 'import', ImportJob, (importId) => ({ importId }), db, runner, config, queue);
  }
}
