import { BullModule } from '@nestjs/bull';
import { type DynamicModule, Module } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { JOB_DEFAULTS, QUEUES } from './queues.js';
import { WORKER_START_WATCH } from './worker-start.js';

/**
 * Bull on Redis when REDIS_URL is set; nothing otherwise (the embedded default runs the same work
 * in-process). The pattern every queue follows:
 *
 * - a dispatcher service injects the queue with `@Optional() @InjectQueue(QUEUES.x) queue?: Queue`
 *   and either adds a job (deterministic jobId where the work has a natural key) or, without Redis,
 *   calls the handling service itself (`setImmediate`, errors logged);
 * - a thin `@Processor(QUEUES.x)` class calls the same service; it lives in a worker module that AppModule imports only when
 *   `QueueModule.runsWorkers(config)` (APP_ROLE `worker` or `all`, with Redis);
 * - the service does the work idempotently.
 */
@Module({})
export class QueueModule {
  static forRoot(config: AppConfig): DynamicModule {
    if (!config.REDIS_URL) {
      return { module: QueueModule, global: true };
    }
    const queues = BullModule.registerQueue(
      ...Object.values(QUEUES).map((name) => ({ name, defaultJobOptions: JOB_DEFAULTS })),
    );
    return {
      module: QueueModule,
      global: true,
      imports: [
        BullModule.forRoot({
          url: config.REDIS_URL,
          prefix: config.QUEUE_PREFIX,
          // A job whose worker was killed is found stalled and run again by another within about twice this.
          settings: { lockDuration: config.JOB_LOCK_SECONDS * 1000, stalledInterval: config.JOB_LOCK_SECONDS * 1000 },
          // Reconnect at most 5 s apart (Bull's own backoff grows to 20 s), so work resumes soon after Redis is back.
          redis: { retryStrategy: (attempt: number) => Math.min(attempt * 200, 5000) },
        }),
        queues,
      ],
      providers: [WORKER_START_WATCH],
      exports: [queues],
    };
  }

  /** Whether this process consumes jobs: with Redis, unless it is an API-only instance. */
  static runsWorkers(config: AppConfig): boolean {
    return Boolean(config.REDIS_URL) && config.APP_ROLE !== 'api';
  }
}
