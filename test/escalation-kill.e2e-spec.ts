import Bull from 'bull';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../src/config/paths.js';
import { loadConfig } from '../src/config/app-config.js';
import { dataSourceOptions } from '../src/app/data-source.js';
import { inTransaction } from '../src/database/transaction.js';
import { EscalationRun } from '../src/escalation/escalation-run.entity.js';
import { escalationJobId } from '../src/escalation/escalation.scheduler.js';
import { RUN_QUIET_MINUTES } from '../src/common/run-status.js';
import { ItemsService } from '../src/ledger/items.service.js';
import { SYSTEM_ACTOR } from '../src/ledger/ledger.service.js';
import { ESCALATION_JOB, JOB_DEFAULTS, QUEUES } from '../src/queue/queues.js';
import { SUBDISTRICT_A } from './factories/households.js';
import { newCampaign } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD } from './utils/create-test-app.js';
import { dropDatabase, freePort, kill, type Run, start, waitFor, waitForOutput } from './utils/spawn-app.js';

/** Items due on AS_OF (beside the demo district's): eight batches of the run, so that a kill after the first lands halfway. */
const ITEMS = 40_000;
const DEADLINE = '2020-05-20';
const AS_OF = '2020-06-01';

/**
 * Issue #8 fault drill: the process doing the escalation is SIGKILLed after its first batch has
 * committed. With Redis the job is Bull's: another worker finds it stalled and runs it again by
 * itself. Without Redis (the embedded default) an admin's run happens in the request: the admin
 * runs it again. Either way the re-run completes the work, and nothing is lost or doubled.
 */
describe('a worker killed in the middle of an escalation run', () => {
  const withRedis = Boolean(process.env.REDIS_URL);
  const dir = mkdtempSync(join(tmpdir(), 'hpa-escalation-kill-'));
  const env = {
    DB_PATH: join(dir, 'hpa.sqlite'),
    // On MySQL a database of its own (dropped afterwards): its items stay out of the shared one.
    DB_NAME: `${process.env.DB_NAME ?? 'hpa_test'}_esckill`,
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    LOG_LEVEL: 'log',
    QUEUE_PREFIX: `hpa-test-esckill-${process.pid}`,
    // A killed worker's job is found stalled after 2 s instead of 30.
    JOB_LOCK_SECONDS: '2',
  };
  const runs: Run[] = [];
  let db: DataSource | undefined;
  let queue: Bull.Queue | undefined;

  afterAll(async () => {
    await Promise.all(runs.map(kill));
    await queue?.close();
    await db?.destroy();
    await dropDatabase(env.DB_NAME);
  });

  /**
   * A campaign and ITEMS items due on AS_OF in the district (migrated with its admin on first use),
   * filed as the system files items; answers the campaign's id.
   */
  async function fileItems(): Promise<number> {
    const setup = await createTestApp({ ...env, APP_ROLE: 'api' });
    try {
      const admin = await setup.login('admin', TEST_ADMIN_PASSWORD);
      const campaign = await newCampaign(setup, admin, { year: 2020 });
      await inTransaction(setup.app.get(DataSource), (em) =>
        setup.app.get(ItemsService).createMany(
          em,
          Array.from({ length: ITEMS }, (_, i) => ({
            campaignId: campaign.id,
            category: 'insurance' as const,
            title: `演练问题${i}`,
            regionCode: SUBDISTRICT_A,
            responsibleDept: 'insurance' as const,
            deadline: DEADLINE,
            source: 'inspection' as const,
            dedupeKey: `drill:${campaign.id}:${i}`,
          })),
          SYSTEM_ACTOR,
        ),
      );
      db ??= await new DataSource(dataSourceOptions(loadConfig({ ...process.env, ...env }))).initialize();
      if (withRedis) {
        queue ??= new Bull(QUEUES.escalation, process.env.REDIS_URL!, { prefix: env.QUEUE_PREFIX });
      }
      return campaign.id;
    } finally {
      await setup.close();
    }
  }

  /** The service as `npm start` runs it: a worker with Redis, the whole app (on a port) without. */
  async function serve(): Promise<{ run: Run; url: string }> {
    const port = await freePort();
    const run = start({ ...env, PORT: String(port), APP_ROLE: withRedis ? 'worker' : 'all' });
    runs.push(run);
    await waitForOutput(run, withRedis ? /worker started/ : /listening on/);
    return { run, url: `http://127.0.0.1:${port}` };
  }

  /** Starts a run for AS_OF: a Bull job (id escalation:<asOf>, as the scheduler queues it), or an admin's request. */
  async function runEscalation(url: string): Promise<Response | undefined> {
    if (queue) {
      await (await queue.getJob(escalationJobId(AS_OF)))?.remove();
      await queue.add(
        ESCALATION_JOB,
        { asOf: AS_OF, trigger: 'manual' },
        { ...JOB_DEFAULTS, jobId: escalationJobId(AS_OF) },
      );
      return undefined;
    }
    const login = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    return fetch(`${url}/api/escalations/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
      body: JSON.stringify({ asOf: AS_OF }),
    });
  }

  const count = async (sql: string): Promise<number> => Number((await db!.query<{ n: number | string }[]>(sql))[0].n);
  const ESCALATED_OF_I = "SELECT 1 FROM ledger_entries e WHERE e.itemId = i.id AND e.type = 'escalated'";
  const escalatedEntries = () => count("SELECT COUNT(*) AS n FROM ledger_entries WHERE type = 'escalated'");

  it('is completed by the re-run: every item raised once, one entry and one notice each, the ledger whole', async () => {
    const campaignId = await fileItems();
    // Due May 20, as of June 1: 12 days overdue, past the default 7 (SPEC §2), so every item is to reach 4 (督办).

    // The first process starts the run and is killed once a batch has committed.
    const first = await serve();
    const answer = runEscalation(first.url).catch(() => undefined);
    await waitFor('the first batch', async () => (await escalatedEntries()) > 0, 60_000);
    await kill(first.run);
    await answer;
    const afterKill = await escalatedEntries();
    expect(afterKill).toBeLessThan(ITEMS);
    // Whole batches only: no item raised without its entry, no entry without its item raised.
    expect(
      await count(`SELECT COUNT(*) AS n FROM items i WHERE i.escalationLevel > 0 AND NOT EXISTS (${ESCALATED_OF_I})`),
    ).toBe(0);
    expect(
      await count(`SELECT COUNT(*) AS n FROM items i WHERE i.escalationLevel = 0 AND EXISTS (${ESCALATED_OF_I})`),
    ).toBe(0);

    // The second process completes it: with Redis by itself (the stalled job), without at the admin's request.
    const second = await serve();
    let rerun: { escalated: number };
    if (withRedis) {
      const job = await waitFor(
        'the job taken over and finished',
        async () => {
          const found = await queue!.getJob(escalationJobId(AS_OF));
          return found && (await found.getState()) === 'completed' ? found : false;
        },
        60_000,
      );
      rerun = job.returnvalue as { escalated: number };
    } else {
      const res = await runEscalation(second.url);
      expect(res!.status).toBe(200);
      rerun = (await res!.json()) as { escalated: number };
    }

    // Nothing lost, nothing doubled: the re-run raised exactly what the killed one had not.
    const total = await escalatedEntries();
    expect(rerun).toMatchObject({ asOf: AS_OF, escalated: total - afterKill });
    expect(
      await count(`SELECT COUNT(*) AS n FROM items WHERE campaignId = ${campaignId} AND escalationLevel = 4`),
    ).toBe(ITEMS);
    expect(
      await count(
        `SELECT COUNT(*) AS n FROM ledger_entries e JOIN items i ON i.id = e.itemId WHERE i.campaignId = ${campaignId} AND e.type = 'escalated'`,
      ),
    ).toBe(ITEMS);
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM (SELECT itemId FROM ledger_entries WHERE type = 'escalated' GROUP BY itemId HAVING COUNT(*) > 1) d",
      ),
    ).toBe(0);
    // One notice per recipient and item: none twice.
    expect(
      await count(
        'SELECT COUNT(*) AS n FROM (SELECT itemId, userId FROM notifications GROUP BY itemId, userId HAVING COUNT(*) > 1) d',
      ),
    ).toBe(0);
    // Every recipient told of every drill item once: by its own notice, or counted in a digest (到期汇总,
    // more than five of one level in one batch: its title says how many; its itemId is the first of them).
    const notices = await db!.query<{ userId: number; kind: string; title: string }[]>(
      `SELECT n.userId AS userId, n.kind AS kind, n.title AS title FROM notifications n JOIN items i ON i.id = n.itemId WHERE i.campaignId = ${campaignId}`,
    );
    const told = new Map<number, number>();
    for (const n of notices) {
      const items = n.kind === 'digest' ? Number(/今日 (\d+) 项/.exec(n.title)?.[1]) : 1;
      told.set(Number(n.userId), (told.get(Number(n.userId)) ?? 0) + items);
    }
    expect(told.size).toBeGreaterThan(0);
    expect([...told.values()].filter((n) => n !== ITEMS)).toEqual([]);
    // The killed run is on record with what it committed, never finished; the re-run did the rest.
    const records = await db!.getRepository(EscalationRun).find({ order: { id: 'ASC' } });
    expect(records.map((r) => ({ finished: r.finishedAt !== null, escalated: r.escalated }))).toEqual([
      { finished: false, escalated: afterKill },
      { finished: true, escalated: total - afterKill },
    ]);
    await kill(second.run);

    // The runs list calls it running while it might be (another worker), interrupted once quiet for RUN_QUIET_MINUTES.
    const reader = await createTestApp({ ...env, APP_ROLE: 'api' });
    try {
      const admin = await reader.login('admin', TEST_ADMIN_PASSWORD);
      const statuses = async (at: number) => {
        reader.clock.set(new Date(at).toISOString());
        const res = await request(reader.http).get('/api/escalations/runs').set('Authorization', admin).expect(200);
        return (res.body as { items: { status: string; escalated: number }[] }).items;
      };
      expect(await statuses(Date.now())).toMatchObject([
        { status: 'done' },
        { status: 'running', escalated: afterKill },
      ]);
      expect(await statuses(Date.now() + (RUN_QUIET_MINUTES + 1) * 60_000)).toMatchObject([
        { status: 'done' },
        { status: 'interrupted', escalated: afterKill },
      ]);
    } finally {
      await reader.close();
    }

    // Every chain verifies, as after a restore (npm run ledger:verify).
    const verify = spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist/src/app/verify-ledger.js')], {
      env: { ...process.env, ...env, NODE_OPTIONS: '' },
      encoding: 'utf8',
    });
    expect(verify.stderr).toMatch(/\d+ items checked, 0 broken chain\(s\)/);
    expect(verify.status).toBe(0);
  }, 300_000);

  it('on SIGTERM, finishes the run in progress before it exits', async () => {
    const campaignId = await fileItems();
    const before = await escalatedEntries();
    const worker = await serve();
    const answer = runEscalation(worker.url);
    await waitFor('the first batch', async () => (await escalatedEntries()) > before, 60_000);
    worker.run.child.kill('SIGTERM');
    await worker.run.exited;
    // Nest closes the app on the signal, then ends the process with it.
    expect(worker.run.child.signalCode ?? worker.run.child.exitCode).toBe('SIGTERM');

    // Every item of the campaign raised, by one run that finished: nothing left for a re-run.
    const raised = await count(
      `SELECT COUNT(*) AS n FROM items WHERE campaignId = ${campaignId} AND escalationLevel = 4`,
    );
    expect(raised).toBe(ITEMS);
    const last = await db!.getRepository(EscalationRun).findOneOrFail({ where: {}, order: { id: 'DESC' } });
    expect(last).toMatchObject({ error: null });
    expect(last.finishedAt).not.toBeNull();
    expect(last.escalated).toBeGreaterThanOrEqual(ITEMS);
    expect(await escalatedEntries()).toBe(before + last.escalated);
    if (!withRedis) {
      // The admin's request was in flight: it got its answer before the process went.
      const res = (await answer)!;
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ asOf: AS_OF, escalated: last.escalated });
    }
  }, 300_000);
});
