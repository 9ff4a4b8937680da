import { randomInt } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/app/data-source.js';
import { DEMO_PASSWORD } from '../src/app/demo/demo-loader.service.js';
import { buildDemoDistrict } from '../src/app/demo/demo-district.js';
import { idCheckChar } from '../src/common/id-number.js';
import { loadConfig } from '../src/config/app-config.js';
import { RELATION_LABELS } from '../src/households/household-labels.js';
import { Household } from '../src/households/household.entity.js';
import { Person } from '../src/households/person.entity.js';
import { RegistryApply } from '../src/reconciliation/registry-apply.entity.js';
import { RegistryChange } from '../src/reconciliation/registry-change.entity.js';
import { RegistryVersion } from '../src/reconciliation/registry-version.js';
import { VILLAGE_A, VILLAGE_B } from './factories/households.js';
import { POVERTY_HEADER, toCsv } from './factories/rosters.js';
import { TEST_ADMIN_PASSWORD } from './utils/create-test-app.js';
import { dropDatabase, freePort, kill, MAIN, type Run, start, waitForOutput } from './utils/spawn-app.js';

/** New households of three in the register: 4 000 households and 12 000 persons to add, 32 batches of 500. */
const NEW_HOUSEHOLDS = 4000;
const APPLICABLE = [
  'poverty_not_registered',
  'member_household_mismatch',
  'household_status_mismatch',
  'person_status_mismatch',
];

/** A valid ID number from a counter, in an area code of this run's own (13xxxx). */
function idNumber(area: string, n: number): string {
  const day = new Date(Date.UTC(1940, 0, 1) + (n % 25_000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `${area}${day}${String(Math.floor(n / 25_000)).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

/**
 * Issue #19: 写入登记信息 in batches, the process SIGKILLed after a few batches have committed. Started
 * again, the service resumes the apply by itself (the registry is as the last batch left it) and
 * ends where an uninterrupted apply ends: every change made once and logged once, and a second apply
 * changes nothing.
 */
describe('a registry apply killed halfway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpa-apply-kill-'));
  const env = {
    DB_PATH: join(dir, 'hpa.sqlite'),
    // On MySQL a database of its own (dropped afterwards).
    DB_NAME: `${process.env.DB_NAME ?? 'hpa_test'}_applykill`,
    UPLOAD_DIR: join(dir, 'uploads'),
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    LOG_LEVEL: 'log',
    QUEUE_PREFIX: `hpa-test-applykill-${process.pid}`,
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
    await waitForOutput(run, /listening on/, 120_000);
    return { run, url: `http://127.0.0.1:${port}` };
  }

  it('resumes by itself on the next start and ends as an uninterrupted apply would', async () => {
    // The register: the demo district's first poor households as 脱贫户 and one person of a lifted
    // household as 死亡 (updates), and NEW_HOUSEHOLDS households we lack (additions).
    const district = buildDemoDistrict();
    const poor = district.households.filter((h) => h.status === 'poor').slice(0, 3);
    const deceased = district.households.find((h) => h.status === 'lifted' && h.members.length >= 2)!;
    const area = `13${String(randomInt(0, 10_000)).padStart(4, '0')}`;
    const tag = `K${randomInt(0, 36 ** 5)
      .toString(36)
      .toUpperCase()}`;
    const row = (
      registryNo: string,
      region: string,
      head: string,
      id: string,
      name: string,
      relation: string,
      type = '未脱贫户',
      status = '正常',
    ) => [registryNo, region, head, id, name, relation, type, type === '脱贫户' ? 2019 : '', status];
    const rows: (string | number)[][] = [];
    for (const h of poor) {
      rows.push(
        ...h.members.map((m) =>
          row(h.registryNo, h.regionCode, h.members[0].name, m.idNumber, m.name, RELATION_LABELS[m.relation], '脱贫户'),
        ),
      );
    }
    rows.push(
      ...deceased.members.map((m, i) =>
        row(
          deceased.registryNo,
          deceased.regionCode,
          deceased.members[0].name,
          m.idNumber,
          m.name,
          RELATION_LABELS[m.relation],
          '脱贫户',
          i === 1 ? '死亡' : '正常',
        ),
      ),
    );
    for (let h = 0; h < NEW_HOUSEHOLDS; h++) {
      const registryNo = `${tag}-${h}`;
      for (const [k, relation] of ['户主', '配偶', '子女'].entries()) {
        rows.push(
          row(
            registryNo,
            h % 2 ? VILLAGE_A : VILLAGE_B,
            `户主${h}`,
            idNumber(area, h * 3 + k),
            `成员${h * 3 + k}`,
            relation,
          ),
        );
      }
    }
    const roster = toCsv(POVERTY_HEADER, rows);
    const planned = NEW_HOUSEHOLDS * 4 + poor.length + 1;

    const first = await serve();
    const login = await fetch(`${first.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'caseworker', password: DEMO_PASSWORD }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}` };
    const json = { ...auth, 'content-type': 'application/json' };
    const form = new FormData();
    form.append('source', 'poverty');
    form.append('file', new Blob([roster]), 'register.csv');
    const posted = await fetch(`${first.url}/api/reconciliations`, { method: 'POST', headers: auth, body: form });
    expect(posted.status).toBe(202);
    const { id } = (await posted.json()) as { id: number };
    const detailOf = async (url: string) =>
      (await (await fetch(`${url}/api/reconciliations/${id}`, { headers: auth })).json()) as {
        status: string;
        counts: Record<string, number>;
        registryApply: { status: string; planned: number; applied: number } | null;
      };
    for (let until = Date.now() + 120_000; (await detailOf(first.url)).status !== 'done';) {
      expect(Date.now()).toBeLessThan(until);
      await new Promise((r) => setTimeout(r, 100));
    }
    const preview = await fetch(`${first.url}/api/reconciliations/${id}/apply`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ kinds: APPLICABLE, dryRun: true, pageSize: 1 }),
    });
    const { confirm, changes } = (await preview.json()) as { confirm: string; changes: { total: number } };
    expect(changes.total).toBe(planned);

    // The apply, in the request; killed (no shutdown, no last words) once a few batches are committed.
    const applying = fetch(`${first.url}/api/reconciliations/${id}/apply`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ kinds: APPLICABLE, confirm }),
    }).catch(() => null);
    let seen: { status: string; planned: number; applied: number } | null;
    for (let until = Date.now() + 120_000; ;) {
      seen = (await detailOf(first.url)).registryApply;
      if ((seen && seen.applied >= 2000) || seen?.status === 'done' || Date.now() > until) {
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    first.run.child.kill('SIGKILL');
    await first.run.exited;
    expect(await applying).toBeNull();
    expect(seen).toMatchObject({ status: 'applying', planned });
    expect(seen!.applied).toBeLessThan(planned);

    // Started again, the service resumes the apply by itself and finishes it.
    const second = await serve();
    await waitForOutput(second.run, /resuming registry apply \d+/);
    let done: { status: string; planned: number; applied: number } | null;
    for (let until = Date.now() + 120_000; ;) {
      done = (await detailOf(second.url)).registryApply;
      if (done?.status === 'done' || Date.now() > until) {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(done).toEqual(expect.objectContaining({ status: 'done', planned, applied: planned }));

    // Applying again changes nothing; reconciled again, none of the applied kinds is left.
    const again = await fetch(`${second.url}/api/reconciliations/${id}/apply`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ kinds: APPLICABLE, confirm }),
    });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { changes: { total: number } }).changes.total).toBe(0);
    const form2 = new FormData();
    form2.append('source', 'poverty');
    form2.append('file', new Blob([roster]), 'register.csv');
    const rerun = (await (
      await fetch(`${second.url}/api/reconciliations`, { method: 'POST', headers: auth, body: form2 })
    ).json()) as { id: number };
    let counts: Record<string, number> = {};
    for (let until = Date.now() + 120_000; ;) {
      const res = (await (await fetch(`${second.url}/api/reconciliations/${rerun.id}`, { headers: auth })).json()) as {
        status: string;
        counts: Record<string, number>;
      };
      if (res.status === 'done' || Date.now() > until) {
        counts = res.counts;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(APPLICABLE.map((k) => [k, counts[k]])).toEqual(APPLICABLE.map((k) => [k, 0]));
    second.run.child.kill('SIGTERM');
    await second.run.exited;

    // The end state: each change made once and logged once, the version the apply kept is the registry's.
    const db = await new DataSource(dataSourceOptions(loadConfig({ ...process.env, ...env }))).initialize();
    try {
      const log = await db.getRepository(RegistryChange).find({ where: { reconciliationId: id } });
      expect(log).toHaveLength(planned);
      const perChange = (change: string) => log.filter((c) => c.change === change).length;
      expect([perChange('household_added'), perChange('person_added')]).toEqual([NEW_HOUSEHOLDS, NEW_HOUSEHOLDS * 3]);
      expect([perChange('household_status'), perChange('person_status')]).toEqual([poor.length, 1]);
      expect(new Set(log.filter((c) => c.personId !== null).map((c) => `${c.change}:${c.personId}`)).size).toBe(
        NEW_HOUSEHOLDS * 3 + 1,
      );
      const added = await db
        .getRepository(Person)
        .createQueryBuilder('p')
        .innerJoin(Household, 'h', 'h.id = p.householdId')
        .where('h.registryNo LIKE :tag', { tag: `${tag}-%` })
        .getCount();
      expect(added).toBe(NEW_HOUSEHOLDS * 3);
      const households = await db
        .getRepository(Household)
        .createQueryBuilder('h')
        .where('h.registryNo LIKE :tag', { tag: `${tag}-%` })
        .getCount();
      expect(households).toBe(NEW_HOUSEHOLDS);
      const statuses = await db.getRepository(Household).findBy(poor.map((h) => ({ registryNo: h.registryNo })));
      expect(statuses.map((h) => h.status)).toEqual(poor.map(() => 'lifted'));
      const dead = await db.getRepository(Person).findOneByOrFail({ idNumber: deceased.members[1].idNumber });
      expect(dead.status).toBe('deceased');
      const [apply] = await db.getRepository(RegistryApply).findBy({ reconciliationId: id });
      // Read after the second apply and the re-run, which wrote nothing to the registry.
      expect(apply.registryVersion).toBe((await RegistryVersion.read(db.manager)).toString());
    } finally {
      await db.destroy();
    }
  }, 400_000);
});
