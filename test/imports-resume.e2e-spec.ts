import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { idCheckChar } from '../src/common/id-number.js';
import { loadConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/app/data-source.js';
import { DEMO_PASSWORD } from '../src/app/demo/demo-loader.service.js';
import { ImportRowError } from '../src/imports/import-row-error.entity.js';
import { VILLAGE_A, VILLAGE_B } from './factories/households.js';
import { HOUSEHOLD_HEADER, toCsv } from './factories/rosters.js';
import { TEST_ADMIN_PASSWORD } from './utils/create-test-app.js';
import { dropDatabase, freePort, kill, MAIN, type Run, start, waitForOutput } from './utils/spawn-app.js';

/** Rows of the roster: enough batches of 1000 that the import is surely killed halfway. */
const ROWS = 60_000;
/** Every 997th row has a wrong check character: rejected, whichever run reads it. */
const BAD_EVERY = 997;

/** A valid ID number from a counter, in an area code of this run's own (12xxxx), apart from the factories' 110101. */
function idNumber(area: string, n: number): string {
  const day = new Date(Date.UTC(1940, 0, 1) + (n % 25_000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `${area}${day}${String(Math.floor(n / 25_000)).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

describe('an import killed halfway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpa-resume-'));
  const env = {
    DB_PATH: join(dir, 'hpa.sqlite'),
    // On MySQL a database of its own (dropped afterwards): its 60 000 rows stay out of the shared one.
    DB_NAME: `${process.env.DB_NAME ?? 'hpa_test'}_resume`,
    UPLOAD_DIR: join(dir, 'uploads'),
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    LOG_LEVEL: 'log',
    // Queues of its own (with REDIS_URL): no other test process takes its jobs, and it takes none of theirs.
    QUEUE_PREFIX: `hpa-test-resume-${process.pid}`,
  };
  const runs: Run[] = [];

  beforeAll(() => {
    if (!existsSync(MAIN)) {
      throw new Error('dist/ is missing: the test command builds before it tests (npm test)');
    }
  });

  afterAll(async () => {
    await Promise.all(runs.map(kill));
    await dropDatabase(env.DB_NAME);
  });

  async function serve(): Promise<{ run: Run; url: string }> {
    const port = await freePort();
    const run = start({ ...env, PORT: String(port) });
    runs.push(run);
    await waitForOutput(run, /listening on/);
    return { run, url: `http://127.0.0.1:${port}` };
  }

  it('loses nothing: started again, it completes with every row accounted for once', async () => {
    // Households of three (head, spouse, child); some rows rejected.
    const area = `12${String(randomInt(0, 10_000)).padStart(4, '0')}`;
    const tag = `R${randomInt(0, 36 ** 5)
      .toString(36)
      .toUpperCase()}`;
    const rows: (string | number)[][] = [];
    let bad = 0;
    for (let i = 0; i < ROWS; i += 3) {
      const registryNo = `${tag}-${i}`;
      for (const [k, relation] of ['户主', '配偶', '子女'].entries()) {
        const n = i + k;
        let id = idNumber(area, n);
        if (n % BAD_EVERY === BAD_EVERY - 1 && relation !== '户主') {
          id = id.slice(0, 17) + (id[17] === '0' ? '1' : '0');
          bad++;
        }
        rows.push([
          registryNo,
          (i / 3) % 2 ? VILLAGE_A : VILLAGE_B,
          '因病',
          '在册未脱贫',
          2016,
          id,
          `成员${n}`,
          relation,
        ]);
      }
    }
    const file = join(dir, 'roster.csv');
    writeFileSync(file, toCsv(HOUSEHOLD_HEADER, rows));

    const first = await serve();
    const login = await fetch(`${first.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'caseworker', password: DEMO_PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const form = new FormData();
    form.append('file', new Blob([readFileSync(file)]), 'roster.csv');
    const posted = await fetch(`${first.url}/api/imports/households`, { method: 'POST', headers: auth, body: form });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: number };

    // Kill it (no shutdown, no last words) once a few batches are committed.
    let seen: { status: string; rowsRead: number; rowsTotal: number | null } | undefined;
    for (;;) {
      const res = await fetch(`${first.url}/api/imports/${id}`, { headers: auth });
      seen = (await res.json()) as typeof seen;
      if (seen!.rowsRead >= 3000 || (seen!.status !== 'queued' && seen!.status !== 'running')) {
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    first.run.child.kill('SIGKILL');
    await first.run.exited;
    expect(seen).toMatchObject({ status: 'running', rowsTotal: ROWS });
    expect(seen!.rowsRead).toBeLessThan(ROWS);

    // Started again, the service resumes the import by itself and finishes it.
    const second = await serve();
    await waitForOutput(second.run, new RegExp(`resuming import ${id}`));
    const until = Date.now() + 120_000;
    let done: Record<string, number | string | null>;
    for (;;) {
      const res = await fetch(`${second.url}/api/imports/${id}`, { headers: auth });
      done = (await res.json()) as typeof done;
      if (done.status === 'done' || done.status === 'failed' || Date.now() > until) {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    if (done.status !== 'done') {
      // What the resumed service said: the cause of a run that did not finish.
      console.error(`import ${id} not done; the service printed:\n${second.run.output().slice(-20_000)}`);
    }
    expect(done).toMatchObject({
      status: 'done',
      rowsTotal: ROWS,
      rowsRead: ROWS,
      updated: 0,
      unchanged: 0,
      rejected: bad,
    });
    expect(done.inserted).toBe(ROWS - bad);
    // The uploaded file is removed once the import is done (the evidence store's folder is not the import's).
    expect(readdirSync(env.UPLOAD_DIR).filter((name) => name !== 'evidence')).toEqual([]);
    second.run.child.kill('SIGTERM');
    await second.run.exited;

    // The registry holds each good row exactly once, and each rejected row is reported once.
    const db = await new DataSource(dataSourceOptions(loadConfig({ ...process.env, ...env }))).initialize();
    try {
      const stored = await db.query<{ n: number | string }[]>(
        'SELECT COUNT(*) AS n FROM persons p INNER JOIN households h ON h.id = p.householdId WHERE h.registryNo LIKE ?',
        [`${tag}-%`],
      );
      expect(Number(stored[0].n)).toBe(ROWS - bad);
      expect(await db.getRepository(ImportRowError).countBy({ importId: id })).toBe(bad);
    } finally {
      await db.destroy();
    }
  }, 300_000);
});
