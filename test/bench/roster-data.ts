import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { idCheckChar } from '../../src/common/id-number.js';
import { buildDemoDistrict } from '../../src/app/demo/demo-district.js';

/** Rows of the generated rosters and registries: BENCH_ROWS, a million by default. */
export const BENCH_ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);

export const DEMO_REGIONS = buildDemoDistrict().regions;
const VILLAGES = DEMO_REGIONS.filter((r) => r.level === 'village').map((r) => r.code);
const SURNAMES = [...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗'];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂'];
const RELATIONS = ['head', 'spouse', 'child'] as const;

/** Person n of the generated district: households of three (head, spouse, child), valid unique ID numbers. */
export function personOf(n: number) {
  const birth = new Date(Date.UTC(1940, 0, 1) + (n % 25_000) * 86_400_000).toISOString().slice(0, 10);
  const first17 = `610199${birth.replaceAll('-', '')}${String(Math.floor(n / 25_000)).padStart(3, '0')}`;
  return {
    idNumber: first17 + idCheckChar(first17),
    name: SURNAMES[n % 20] + GIVEN[(n * 7) % 26] + (n % 3 ? GIVEN[(n * 13) % 26] : ''),
    birthDate: birth,
    sex: Number(first17[16]) % 2 === 1 ? 'male' : 'female',
    household: Math.floor(n / 3),
    relation: RELATIONS[n % 3],
  };
}

/** Household h of the generated district. */
export function householdOf(h: number) {
  return {
    registryNo: `BH${String(h).padStart(8, '0')}`,
    regionCode: VILLAGES[h % VILLAGES.length],
    povertyCause: 'illness',
    status: h % 10 === 0 ? 'poor' : 'lifted',
    registeredYear: 2014 + (h % 6),
  };
}

/** Writes a CSV file line by line (UTF-8 with BOM), honouring the stream's back-pressure. */
export async function writeCsv(path: string, header: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  let buffer = `\uFEFF${header}\n`;
  for (const line of lines) {
    buffer += `${line}\n`;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) {
        await once(out, 'drain');
      }
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

/** V8's full collection, reachable without starting node with --expose-gc. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * Runs `work`, sampling the process's resident memory every 50 ms; answers its duration and the
 * peak. Garbage left by generating the data (or by an earlier benchmark in the same process) is
 * collected first, so that the peak is the work's own.
 */
export async function measured<T>(
  work: () => Promise<T>,
): Promise<{ result: T; ms: number; peakMb: number; startMb: number }> {
  collectGarbage();
  const startRss = process.memoryUsage().rss;
  let peak = startRss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const start = process.hrtime.bigint();
  try {
    const result = await work();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, ms, peakMb: peak / 2 ** 20, startMb: startRss / 2 ** 20 };
  } finally {
    clearInterval(timer);
  }
}

export interface JobRun {
  outcome: string;
  ms: number;
  peakMb: number;
  startMb: number;
}

/**
 * Runs job-process.ts with `args` and the environment overridden by `env`; answers what it printed
 * after `RESULT ` on its last line. Its output goes to stderr, the RESULT line too unless `echoResult` is false.
 */
export async function runInProcess<T>(args: string[], env: Record<string, string>, echoResult = true): Promise<T> {
  const kind = args[0];
  const child = spawn(process.execPath, [join(import.meta.dirname, 'job-process.js'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (echoResult) {
      process.stderr.write(chunk);
    }
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) {
    throw new Error(`the ${kind} job process failed (exit ${code})`);
  }
  return JSON.parse(line.slice('RESULT '.length)) as T;
}
