import { getQueueToken } from '@nestjs/bull';
import { Logger, type Provider } from '@nestjs/common';
import type { Queue } from 'bull';
import { QUEUES } from './queues.js';

/** The parts of a Bull 4 queue a worker's start goes through (not in its typings). */
interface BullWorkerInternals {
  closing?: Promise<void>;
  setWorkerName(): Promise<void>;
  startMoveUnlockedJobsToWait(): void;
}

/** How long a close waits for a worker still starting (its Redis connections coming up) before closing anyway. */
export const START_WAIT_MS = 5_000;

/**
 * Lets a queue whose worker is still starting be closed cleanly, as a short-lived app (a test, a
 * deploy moments after boot) closes it.
 *
 * Bull 4's `process()` starts the worker in steps that each talk to Redis (name the blocking
 * client, move stalled jobs back, wait for the blocking client), and neither it nor @nestjs/bull's
 * explorer, which calls `process()` for every `@Processor`, handles a close that comes in between:
 * the step in flight rejects "Connection is closed." with nobody to catch it (an unhandled
 * rejection ends a Node process), and a step after the close opens a Redis connection that is never
 * closed. So here `close()` first waits until the worker is running (or its start failed), at most
 * START_WAIT_MS, and a start that fails is logged with the queue's name instead of thrown into the void.
 */
export function watchWorkerStart(queue: Queue, logger: Pick<Logger, 'error'> = new Logger('Queue')): Queue {
  const bull = queue as Queue & BullWorkerInternals;
  const failed = (step: string) => (error: unknown) => {
    // Once close() has begun (it waited START_WAIT_MS in vain), a failing step is the close's doing.
    if (bull.closing) {
      return;
    }
    logger.error(
      `worker of queue ${queue.name}: ${step} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  };
  let starting: Promise<unknown> = Promise.resolve();

  const setWorkerName: () => Promise<unknown> = bull.setWorkerName.bind(queue);
  const startMoveUnlockedJobsToWait = bull.startMoveUnlockedJobsToWait.bind(queue);
  const process = queue.process.bind(queue) as (...args: unknown[]) => Promise<void>;
  const close = queue.close.bind(queue);

  queue.process = ((...args: unknown[]) => {
    let named: Promise<void> = Promise.resolve();
    bull.setWorkerName = () => {
      named = setWorkerName().then(() => undefined, failed('naming its connection'));
      return named;
    };
    let markRunning!: () => void;
    const running = new Promise<void>((resolve) => (markRunning = resolve));
    bull.startMoveUnlockedJobsToWait = () => {
      markRunning(); // Bull calls this once the worker's loop has started
      startMoveUnlockedJobsToWait();
    };
    // Settles when the worker stops (on close) or its start fails.
    const lifetime = process(...args).then(() => undefined, failed('start'));
    starting = Promise.all([named, Promise.race([running, lifetime])]);
    return lifetime;
  }) as Queue['process'];

  queue.close = async (doNotWaitJobs?: boolean) => {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, START_WAIT_MS)));
    await Promise.race([starting, waited]).finally(() => clearTimeout(timer));
    return close(doNotWaitJobs);
  };
  return queue;
}

/** Wraps every queue when the queues are made, before @nestjs/bull's explorer registers the processors. */
export const WORKER_START_WATCH: Provider = {
  provide: 'WORKER_START_WATCH',
  useFactory: (...queues: Queue[]) => queues.map((queue) => watchWorkerStart(queue)),
  inject: Object.values(QUEUES).map((name) => getQueueToken(name)),
};
