import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { CronJob } from 'cron';
import { AppConfig } from '../config/app-config.js';
import { ESCALATION_JOB, QUEUES } from '../queue/queues.js';
import type { EscalationJobData } from './escalation.processor.js';
import { EscalationService } from './escalation.service.js';

/** Where the nightly run comes from in this process. */
export interface ScheduleInfo {
  /** bull: a repeatable job in Redis; in-process: a CronJob here; none: an API-only instance. */
  mode: 'bull' | 'in-process' | 'none';
  cron: string;
  timeZone: string;
  /** The next run of the in-process schedule (null otherwise, or once stopped). */
  next: Date | null;
}

/** The deterministic id of a manual run's job: two requests for the same day queue one job. */
export const escalationJobId = (asOf: string): string => `escalation:${asOf}`;

/**
 * Runs the escalation every day on ESCALATION_CRON in APP_TIMEZONE.
 *
 * - With Redis, in the instances that work the queues (APP_ROLE worker or all): a Bull repeatable
 *   job. Bull tells repeatable jobs apart only by their options, so at start (and whenever the
 *   connection to Redis is back, in case Redis lost its data) every repeatable job of the queue
 *   that is not the current schedule is removed and the current one added (a no-op when it is
 *   there). An API-only instance leaves the schedule to the workers.
 * - Without Redis (the embedded default; not in an API-only instance): a CronJob in this process
 *   calls the same service, so `npm start` alone escalates. It stops when the app closes.
 */
@Injectable()
export class EscalationScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EscalationScheduler.name);
  private cron?: CronJob<null, null>;
  private ensuring?: Promise<void>;
  private readonly onRedisReady = (): void => {
    void this.ensureSchedule();
  };

  constructor(
    private readonly config: AppConfig,
    private readonly escalation: EscalationService,
    @Optional() @InjectQueue(QUEUES.escalation) private readonly queue?: Queue<EscalationJobData>,
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
      cronTime: this.config.ESCALATION_CRON,
      timeZone: this.config.APP_TIMEZONE,
      onTick: () => this.runScheduled(),
      waitForCompletion: true,
      start: true,
    });
    this.logger.log(
      `escalation scheduled in-process: ${this.config.ESCALATION_CRON} (${this.config.APP_TIMEZONE}), next ${this.cron.nextDate().toISO()}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.queue?.client.off('ready', this.onRedisReady);
    await this.cron?.stop();
    this.cron = undefined;
    await this.ensuring;
  }

  schedule(): ScheduleInfo {
    const mode = this.config.APP_ROLE === 'api' ? 'none' : this.queue ? 'bull' : 'in-process';
    return {
      mode,
      cron: this.config.ESCALATION_CRON,
      timeZone: this.config.APP_TIMEZONE,
      next: this.cron?.isActive ? this.cron.nextDate().toJSDate() : null,
    };
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
   * Leaves exactly the current schedule among the queue's repeatable jobs. Safe to call at any
   * time and from several instances at once (adding the same repeatable job twice is one job).
   */
  ensureSchedule(): Promise<void> {
    this.ensuring ??= this.replaceStaleSchedules()
      .catch((error: unknown) =>
        this.logger.warn(`escalation schedule not registered yet (Redis: ${(error as Error).message}); will retry`),
      )
      .finally(() => {
        this.ensuring = undefined;
      });
    return this.ensuring;
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

  private async replaceStaleSchedules(): Promise<void> {
    const queue = this.queue!;
    const { ESCALATION_CRON: cron, APP_TIMEZONE: tz } = this.config;
    const repeatable = await queue.getRepeatableJobs();
    const current = (job: (typeof repeatable)[number]) =>
      job.name === ESCALATION_JOB && job.cron === cron && job.tz === tz && !job.id && !job.endDate;
    for (const stale of repeatable.filter((job) => !current(job))) {
      await queue.removeRepeatableByKey(stale.key);
      this.logger.log(`removed a stale escalation schedule: ${stale.name} ${stale.cron} (${stale.tz ?? 'no tz'})`);
    }
    // Always added: for the same options Bull keeps one schedule and one delayed job for its next
    // time (deterministic ids), and this puts that job back if it was lost.
    await queue.add(ESCALATION_JOB, { trigger: 'schedule' }, { repeat: { cron, tz } });
    if (!repeatable.some(current)) {
      this.logger.log(`escalation scheduled on Bull: ${cron} (${tz})`);
    }
  }
}
