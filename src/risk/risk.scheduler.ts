import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import type { Queue } from 'bull';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config.js';
import { QUEUES, RISK_RUN_JOB } from '../queue/queues.js';
import { type RiskRunJobData, RiskRunDispatcher } from './risk-run.dispatcher.js';

/**
 * Runs the current year's risk run every day on RISK_CRON in APP_TIMEZONE, as EscalationScheduler
 * does the escalation: with Redis, one Bull repeatable job (stale schedules of the queue removed at
 * start and whenever Redis is back); without Redis, a CronJob in this process; nothing in an
 * API-only instance.
 */
@Injectable()
export class RiskScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RiskScheduler.name);
  private cron?: CronJob<null, null>;
  private ensuring?: Promise<void>;
  private readonly onRedisReady = (): void => {
    void this.ensureSchedule();
  };

  constructor(
    private readonly config: AppConfig,
    private readonly dispatcher: RiskRunDispatcher,
    @Optional() @InjectQueue(QUEUES.riskRuns) private readonly queue?: Queue<RiskRunJobData>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.APP_ROLE === 'api') {
      return;
    }
    if (this.queue) {
      this.queue.client.on('ready', this.onRedisReady);
      void this.ensureSchedule();
      return;
    }
    this.cron = CronJob.from({
      cronTime: this.config.RISK_CRON,
      timeZone: this.config.APP_TIMEZONE,
      onTick: () => this.dispatcher.handle({ trigger: 'schedule' }),
      waitForCompletion: true,
      start: true,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.queue?.client.off('ready', this.onRedisReady);
    await this.cron?.stop();
    this.cron = undefined;
    await this.ensuring;
  }

  /** Leaves exactly the current schedule among the queue's repeatable jobs (safe from several instances at once). */
  private ensureSchedule(): Promise<void> {
    this.ensuring ??= this.replaceStaleSchedules()
      .catch((error: unknown) =>
        this.logger.warn(`risk schedule not registered yet (Redis: ${(error as Error).message}); will retry`),
      )
      .finally(() => {
        this.ensuring = undefined;
      });
    return this.ensuring;
  }

  private async replaceStaleSchedules(): Promise<void> {
    const queue = this.queue!;
    const { RISK_CRON: cron, APP_TIMEZONE: tz } = this.config;
    const repeatable = await queue.getRepeatableJobs();
    const current = (job: (typeof repeatable)[number]) =>
      job.name === RISK_RUN_JOB && job.cron === cron && job.tz === tz && !job.id && !job.endDate;
    for (const stale of repeatable.filter((job) => !current(job))) {
      await queue.removeRepeatableByKey(stale.key);
    }
    await queue.add(RISK_RUN_JOB, { trigger: 'schedule' }, { repeat: { cron, tz } });
  }
}
