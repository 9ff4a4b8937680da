import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { AppConfig } from '../config/app-config.js';
import { DailySchedule, type ScheduleInfo } from '../queue/daily-schedule.js';
import { ESCALATION_JOB, QUEUES } from '../queue/queues.js';
import type { EscalationJobData } from './escalation.processor.js';
import { EscalationService } from './escalation.service.js';

/** The deterministic id of a manual run's job: two requests for the same day queue one job. */
export const escalationJobId = (asOf: string): string => `escalation:${asOf}`;

/**
 * Runs the escalation every day on ESCALATION_CRON in APP_TIMEZONE (a DailySchedule): with Redis,
 * in the instances that work the queues (APP_ROLE worker or all), a Bull repeatable job, stale
 * schedules replaced at start and whenever Redis is back; without Redis (the embedded default),
 * a CronJob in this process that calls the same service, so `npm start` alone escalates; nothing
 * in an API-only instance. It stops when the app closes.
 */
@Injectable()
export class EscalationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EscalationScheduler.name);
  private readonly daily: DailySchedule<EscalationJobData>;

  constructor(
    config: AppConfig,
    private readonly escalation: EscalationService,
    @Optional() @InjectQueue(QUEUES.escalation) private readonly queue?: Queue<EscalationJobData>,
  ) {
    this.daily = new DailySchedule(config, config.ESCALATION_CRON, queue, {
      label: 'escalation',
      logger: this.logger,
      jobName: ESCALATION_JOB,
      data: { trigger: 'schedule' },
      onTick: () => this.runScheduled(),
    });
  }

  onApplicationBootstrap(): void {
    this.daily.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.daily.stop();
  }

  schedule(): ScheduleInfo {
    return this.daily.info();
  }

  /** What the in-process schedule does when it fires: a run for today. Errors are logged, never thrown. */
  async runScheduled(): Promise<void> {
    try {
      await this.escalation.run({ trigger: 'schedule' });
    } catch (error) {
      this.logger.error(`scheduled escalation failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  /**
   * A run through the queue (with Redis): the job id is `escalation:<asOf>`, so requests for the
   * same day while one is waiting or running share it; once that job has finished a new one may
   * be queued (and changes nothing if the day is done). Without Redis the run happens here.
   */
  async enqueue(data: EscalationJobData & { asOf: string }): Promise<Job<EscalationJobData> | null> {
    if (!this.queue) {
      await this.escalation.run(data);
      return null;
    }
    const jobId = escalationJobId(data.asOf);
    const existing = await this.queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed') {
        return existing;
      }
      await existing.remove();
    }
    return this.queue.add(ESCALATION_JOB, data, { jobId });
  }
}
