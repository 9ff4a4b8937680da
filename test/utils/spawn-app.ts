import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../../src/config/paths.js';

/** The built service, as `npm start` runs it (the test command builds before it tests). */
export const MAIN = join(PROJECT_ROOT, 'dist/src/main.js');

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A child process with everything it printed. */
export interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts a program (default: the built service) with this environment on top of the test's own. */
export function start(env: Record<string, string>, args: string[] = [MAIN], command = process.execPath): Run {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('JEST') && k !== 'NODE_OPTIONS'),
  ) as Record<string, string>;
  const child = spawn(command, args, { env: { ...base, NODE_ENV: 'development', ...env }, cwd: PROJECT_ROOT });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Waits until the process has printed `text`; fails with its output if it exits or time runs out. */
export async function waitForOutput(run: Run, text: RegExp, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!text.test(run.output())) {
    if (Date.now() > until || run.child.exitCode !== null) {
      throw new Error(`did not see ${String(text)}; output:\n${run.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILLs a process (no shutdown, no last words) and waits for it to be gone. */
export async function kill(run: Run): Promise<void> {
  if (run.child.exitCode === null && run.child.signalCode === null) {
    run.child.kill('SIGKILL');
    await run.exited;
  }
}

/** Polls `probe` until it answers something truthy; fails naming `what` when time runs out. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) {
      return value;
    }
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A spawned app made a MySQL database of its own: drop it (nothing to do on SQLite). */
export async function dropDatabase(name: string): Promise<void> {
  if (process.env.DB_TYPE !== 'mysql') {
    return;
  }
  const db = await new DataSource({
    type: 'mysql',
    host: process.env.DB_HOST ?? '127.0.0.1',
    port: Number(process.env.DB_PORT ?? 3306),
    username: process.env.DB_USER ?? 'root',
    password: process.env.DB_PASSWORD ?? '',
  }).initialize();
  await db.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await db.destroy();
}

/**
 * A redis-server of the test's own on a free port, keeping nothing on disk (a restart comes back
 * empty, as a Redis without persistence would): to stop and start while an app uses it.
 */
export class PrivateRedis {
  private run?: Run;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    this.run = start({}, ['--port', String(this.port), '--save', '', '--appendonly', 'no'], 'redis-server');
    const { Redis } = await import('ioredis');
    await waitFor('redis-server', async () => {
      const probe = new Redis(this.port, '127.0.0.1', {
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    });
  }

  async stop(): Promise<void> {
    if (this.run) {
      await kill(this.run);
      this.run = undefined;
    }
  }
}
