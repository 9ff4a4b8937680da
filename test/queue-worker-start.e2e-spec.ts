import Bull, { type Queue } from 'bull';
import { watchWorkerStart } from '../src/queue/worker-start.js';
import { waitFor } from './utils/spawn-app.js';

// Bull's worker start talks to Redis; the embedded default has no queues to start.
const redisUrl = process.env.REDIS_URL;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

(redisUrl ? describe : describe.skip)('a queue closed while its worker starts (needs REDIS_URL)', () => {
  const prefix = `hpa-test-worker-start-${process.pid}`;
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => process.on('unhandledRejection', record));
  afterAll(() => process.off('unhandledRejection', record));

  // Unwrapped, a bare Bull queue closed 0–5 ms into its start leaves an unhandled "Connection is closed."
  // or a TypeError in most rounds, and a Redis connection open in nearly every one.
  it.each([0, 1, 2, 5])('closes cleanly %i ms into the start, as a short-lived app does', async (delay) => {
    const logged: string[] = [];
    for (let round = 0; round < 5; round++) {
      const queue = watchWorkerStart(new Bull(`closed-at-${delay}-${round}`, redisUrl!, { prefix }), {
        error: (message: string) => logged.push(message),
      });
      const worker = queue.process(() => Promise.resolve());
      await pause(delay);
      await queue.close();
      await expect(worker).resolves.toBeUndefined();
      await pause(20); // a step that outlived the close would open its connection now
      expect(queue.clients.map((client) => client.status)).toEqual(queue.clients.map(() => 'end'));
    }
    expect(unhandled).toEqual([]);
    expect(logged).toEqual([]);
  });

  it('still runs jobs once started, and closes after them', async () => {
    const queue = watchWorkerStart(new Bull('runs-jobs', redisUrl!, { prefix }));
    const done: number[] = [];
    void queue.process((job) => Promise.resolve(void done.push(job.data.n as number)));
    await queue.add({ n: 1 }, { removeOnComplete: true });
    await queue.add({ n: 2 }, { removeOnComplete: true });
    await waitFor('both jobs run', () => Promise.resolve(done.length === 2));
    await queue.close();
    expect(done).toEqual([1, 2]);
    expect(queue.clients.every((client) => client.status === 'end')).toBe(true);
  });
});

describe('a queue worker whose start fails while nobody closes the queue', () => {
  it('is logged with the queue named, and the promise still settles', async () => {
    const logged: string[] = [];
    // A stand-in for a Bull queue whose start rejects with no close() asked for (Redis refusing the worker's scripts).
    const queue = {
      name: 'imports',
      setWorkerName: () => Promise.resolve(),
      startMoveUnlockedJobsToWait: () => undefined,
      process: () => Promise.reject(new Error('NOSCRIPT')),
      close: () => Promise.resolve(),
    } as unknown as Queue;
    watchWorkerStart(queue, { error: (message: string) => logged.push(message) });
    await expect(queue.process(() => Promise.resolve())).resolves.toBeUndefined();
    expect(logged).toEqual(['worker of queue imports: start failed: NOSCRIPT']);
    await expect(queue.close()).resolves.toBeUndefined();
  });
});
