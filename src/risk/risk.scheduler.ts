import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, Optional } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../config/app-config.js';
import { DailySchedule } from '../queue/daily-schedule.js';
import { QUEUES, RISK_RUN_JOB } from '../queue/queues.js';
import { type RiskRunJobData, RiskRunDispatcher } from './risk-run.dispatcher.js';

/**
 * Runs the current year's risk run every day on RISK_CRON in APP_TIMEZONE, as EscalationScheduler
 * does the escalation (a DailySchedule): with Redis, one Bull repeatable job (stale schedules of
 * the queue removed at start and whenever Redis is back); without Redis, a CronJob in this
 * process; nothing in an API-only instance.
 */
@Injectable()
export class RiskScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly daily: DailySchedule<RiskRunJobData>;

  constructor(
    config: AppConfig,
    dispatcher: RiskRunDispatcher,
    @Optional() @InjectQueue(QUEUES.riskRuns) queue?: Queue<RiskRunJobData>,
  ) {
    this.daily = new DailySchedule(config, config.RISK_CRON, queue, {
      label: 'risk',
      logger: new Logger(RiskScheduler.name),
      jobName: RISK_RUN_JOB,
      data: { trigger: 'schedule' },
      onTick: () => dispatcher.handle({ trigger: 'schedule' }),
    });
  }

  onApplicationBootstrap(): void {
    this.daily.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.daily.stop();
  }
}
