import type { Logger } from '@nestjs/common';
import type { Queue } from 'bull';
import { CronJob } from 'cron';
import type { AppConfig } from '../config/app-config.js';

/** Where a daily run comes from in this process. */
export interface ScheduleInfo {
  /** bull: a repeatable job in Redis; in-process: a CronJob here; none: an API-only instance. */
  mode: 'bull' | 'in-process' | 'none';
  cron: string;
  timeZone: string;
  /** The next run of the in-process schedule (null otherwise, or once stopped). */
  next: Date | null;
}

/** What runs: the name and data of the repeatable job (with Redis), or `onTick` (without). */
export interface DailyWork<T> {
  /** Names the work in the log lines ("escalation", "risk"). */
  label: string;
  /** The owner's logger, so the lines keep its context. */
  logger: Logger;
  jobName: string;
  data: T;
  onTick: () => Promise<void>;
}

/**
 * A daily run on `cron` in APP_TIMEZONE, for the schedulers of the feature modules.
 *
 * - With Redis: a Bull repeatable job. Bull tells repeatable jobs apart only by their options, so
 *   at start (and whenever the connection to Redis is back, in case Redis lost its data) every
 *   repeatable job of the queue that is not the current schedule is removed and the current one
 *   added (a no-op when it is there). Safe from several instances at once.
 * - Without Redis: a CronJob in this process.
 * - Nothing in an API-only instance (APP_ROLE api), which leaves the schedule to the workers.
 *   `stop()` ends it all when the app closes.
 */
export class DailySchedule<T> {
  private cron?: CronJob<null, null>;
  private ensuring?: Promise<void>;
  private readonly onRedisReady = (): void => {
    void this.ensure();
  };

  private readonly active: boolean;
  private readonly timeZone: string;

  constructor(
    config: AppConfig,
    private readonly cronTime: string,
    private readonly queue: Queue<T> | undefined,
    private readonly work: DailyWork<T>,
  ) {
    this.active = config.APP_ROLE !== 'api';
    this.timeZone = config.APP_TIMEZONE;
  }

  start(): void {
    const { cronTime, timeZone, queue, work } = this;
    if (!this.active) {
      return;
    }
    if (queue) {
      queue.client.on('ready', this.onRedisReady);
      void this.ensure();
      return;
    }
    this.cron = CronJob.from({ cronTime, timeZone, onTick: work.onTick, waitForCompletion: true, start: true });
    work.logger.log(
      `${work.label} scheduled in-process: ${cronTime} (${timeZone}), next ${this.cron.nextDate().toISO()}`,
    );
  }

  async stop(): Promise<void> {
    this.queue?.client.off('ready', this.onRedisReady);
    await this.cron?.stop();
    this.cron = undefined;
    await this.ensuring;
  }

  info(): ScheduleInfo {
    return {
      mode: !this.active ? 'none' : this.queue ? 'bull' : 'in-process',
      cron: this.cronTime,
      timeZone: this.timeZone,
      next: this.cron?.isActive ? this.cron.nextDate().toJSDate() : null,
    };
  }

  /** Leaves exactly the current schedule among the queue's repeatable jobs; one attempt at a time. */
  private ensure(): Promise<void> {
    this.ensuring ??= this.replaceStaleSchedules()
      .catch((error: unknown) =>
        this.work.logger.warn(
          `${this.work.label} schedule not registered yet (Redis: ${(error as Error).message}); will retry`,
        ),
      )
      .finally(() => {
        this.ensuring = undefined;
      });
    return this.ensuring;
  }

  private async replaceStaleSchedules(): Promise<void> {
    const { cronTime: cron, timeZone: tz, work } = this;
    const { jobName, data, logger, label } = work;
    const queue = this.queue!;
    const repeatable = await queue.getRepeatableJobs();
    const current = (job: (typeof repeatable)[number]) =>
      job.name === jobName && job.cron === cron && job.tz === tz && !job.id && !job.endDate;
    for (const stale of repeatable.filter((job) => !current(job))) {
      await queue.removeRepeatableByKey(stale.key);
      logger.log(`removed a stale ${label} schedule: ${stale.name} ${stale.cron} (${stale.tz ?? 'no tz'})`);
    }
    // Always added: for the same options Bull keeps one schedule and one delayed job for its next
    // time (deterministic ids), and this puts that job back if it was lost.
    await queue.add(jobName, data, { repeat: { cron, tz } });
    if (!repeatable.some(current)) {
      logger.log(`${label} scheduled on Bull: ${cron} (${tz})`);
    }
  }
}
