import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { AppModule } from '../../src/app/app.module.js';
import { configureApp } from '../../src/app/app.setup.js';
import { Public } from '../../src/auth/auth-user.js';
import { hashPassword } from '../../src/auth/passwords.js';
import { idCheckChar } from '../../src/common/id-number.js';
import { buildDemoDistrict } from '../../src/app/demo/demo-district.js';
import { benchDatabase, settled } from './bench-db.js';
import type { Bench, BenchLine } from './report.js';

/** The answers' status codes other than 2xx and how many of each, e.g. "409 ×3". */
const statusCounts = (r: autocannon.Result): string =>
  Object.entries(r.statusCodeStats ?? {})
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, { count }]) => `${code} ×${count ?? 0}`)
    .join(', ');

const PERSONS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const ITEMS = PERSONS;
const CHUNK = 5_000;
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
/** Each route is loaded unmeasured this long first: its code optimised, its index pages in MariaDB's buffer pool. */
const WARM_UP = Math.min(3, DURATION);
const CONNECTIONS = 16;
const SUBDISTRICTS = ['610199001000', '610199002000', '610199003000', '610199004000', '610199005000'];

/** The framework's ceiling: a route that does nothing, served by the same process. */
@Controller('bench')
class BareController {
  @Public()
  @Get('bare')
  bare() {
    return { ok: true };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

function fast(n: number): string {
  return n.toLocaleString('en');
}

/**
 * Issue #8: the real app on MySQL with the district scaled to 1 000 000 persons and 1 000 000 items,
 * loaded over HTTP by autocannon — an officer's items list, a household profile, an item close —
 * beside a bare NestJS route in the same process and run.
 */
export const httpBench: Bench = {
  name: 'http',
  async run(): Promise<BenchLine[]> {
    const { config, raw, drop } = await benchDatabase('http');
    let app: NestExpressApplication | undefined;
    try {
      const district = buildDemoDistrict();
      const villages = district.regions.filter((r) => r.level === 'village').map((r) => r.code);
      await raw.query('INSERT INTO regions (code, name, level, parentCode) VALUES ?', [
        district.regions.map((r) => [r.code, r.name, r.level, r.parentCode]),
      ]);
      const households = Math.ceil(PERSONS / 2.5);
      const started = Date.now();
      for (let offset = 0; offset < households; offset += CHUNK) {
        const rows = [];
        for (let i = offset; i < Math.min(households, offset + CHUNK); i++) {
          rows.push([
            `B${String(i).padStart(9, '0')}`,
            villages[i % villages.length],
            'illness',
            2016,
            i % 12 === 0 ? 'poor' : 'lifted',
            1,
          ]);
        }
        await raw.query(
          'INSERT INTO households (registryNo, regionCode, povertyCause, registeredYear, status, version) VALUES ?',
          [rows],
        );
      }
      process.stderr.write(`  ${fast(households)} households (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
      for (let offset = 0; offset < PERSONS; offset += CHUNK) {
        const rows = [];
        for (let i = offset; i < Math.min(PERSONS, offset + CHUNK); i++) {
          const birth = new Date(Date.UTC(1940, 0, 1) + (i % 25_000) * 86_400_000).toISOString().slice(0, 10);
          const first17 = `610199${birth.replaceAll('-', '')}${String(Math.floor(i / 25_000)).padStart(3, '0')}`;
          const householdId = Math.floor(i / 2.5) + 1;
          rows.push([
            householdId,
            first17 + idCheckChar(first17),
            `测试${i}`,
            Number(first17[16]) % 2 ? 'male' : 'female',
            birth,
            i % 5 === 0 || i % 5 === 3 ? 'head' : 'child',
            'active',
            1,
          ]);
        }
        await raw.query(
          'INSERT INTO persons (householdId, idNumber, name, sex, birthDate, relation, status, version) VALUES ?',
          [rows],
        );
        if (offset % 250_000 === 0) {
          process.stderr.write(
            `  persons ${fast(offset + rows.length)}/${fast(PERSONS)} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
          );
        }
      }
      await raw.query(
        // 销号 without review, so that the close route closes (with review on, an item without evidence is refused).
        "INSERT INTO campaigns (name, year, deadline, reminderDays, warningDays, supervisedDays, closeReview, evidenceRequired) VALUES ('基准专项', 2020, '2020-05-31', 14, 3, 7, 0, 0)",
      );
      for (let offset = 0; offset < ITEMS; offset += CHUNK) {
        const rows = [];
        for (let i = offset; i < Math.min(ITEMS, offset + CHUNK); i++) {
          const deadline = new Date(Date.UTC(2020, 3, 1 + (i % 120))).toISOString().slice(0, 10);
          rows.push([
            1,
            'contract',
            `基准问题${i}`,
            SUBDISTRICTS[i % 5],
            'health',
            deadline,
            'inspection',
            i % 10 < 8 ? 'open' : 'closed',
            0,
            1,
            'person',
            (i % PERSONS) + 1,
          ]);
        }
        await raw.query(
          'INSERT INTO items (campaignId, category, title, regionCode, responsibleDept, deadline, source, status, escalationLevel, version, subjectType, subjectId) VALUES ?',
          [rows],
        );
      }
      process.stderr.write(`  ${fast(ITEMS)} items (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
      await raw.query('ANALYZE TABLE households, persons, items');
      process.stderr.write(`  MariaDB after the load: ${await settled(raw)}\n`);
      await raw.query('INSERT INTO users (username, passwordHash, role, regionCode, displayName, active) VALUES ?', [
        [
          ['officer1', await hashPassword('Bench-pass-2020'), 'subdistrict_officer', SUBDISTRICTS[0], '基准专干', 1],
          ['caseworker1', await hashPassword('Bench-pass-2020'), 'health_caseworker', null, '基准业务', 1],
        ],
      ]);

      app = await NestFactory.create<NestExpressApplication>(
        {
          module: BareModule,
          imports: [
            AppModule.forRoot({
              ...config,
              DEMO_DATA: '0',
              ADMIN_PASSWORD: 'Bench-pass-2020',
              LOG_LEVEL: 'warn',
            } as typeof config),
          ],
        },
        { logger: ['error', 'warn'] },
      );
      configureApp(app);
      await app.listen(0, '127.0.0.1');
      const url = await app.getUrl();
      const headersOf = async (username: string) => {
        const login = await fetch(`${url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password: 'Bench-pass-2020' }),
        });
        const { accessToken } = (await login.json()) as { accessToken: string };
        return { authorization: `Bearer ${accessToken}` };
      };
      const headers = await headersOf('officer1');
      const caseworkerHeaders = await headersOf('caseworker1');

      // Household ids and open item ids in the officer's sub-district (城关: villages 610199001xxx).
      const [ownHouseholds] = (await raw.query(
        "SELECT id FROM households WHERE regionCode LIKE '610199001%' LIMIT 20000",
      )) as unknown as [{ id: number }[]];
      const [openItems] = (await raw.query(
        "SELECT id FROM items WHERE regionCode = ? AND status = 'open' ORDER BY id LIMIT 200000",
        [SUBDISTRICTS[0]],
      )) as unknown as [{ id: number }[]];
      let nextHousehold = 0;
      let nextItem = 0;

      type Setup = (req: autocannon.Request) => autocannon.Request;
      /**
       * A route under load, after WARM_UP seconds of the same load unmeasured (the first route
       * measured would otherwise pay for the JIT and a cold buffer pool that the next ones find
       * warm). A fixed request is sent from a worker thread, as a client outside the server would
       * (in this thread, autocannon's own work would take the server's event loop); one whose
       * request changes each time (a function) from this thread.
       */
      const load = async (
        path: string,
        setupRequest?: Setup,
        method: 'GET' | 'POST' = 'GET',
        as: Record<string, string> = headers,
      ) => {
        const run = (duration: number) =>
          autocannon({
            url: `${url}${path}`,
            connections: CONNECTIONS,
            duration,
            headers: method === 'POST' ? { ...as, 'content-type': 'application/json' } : as,
            ...(setupRequest ? { requests: [{ method, setupRequest }] } : { method, workers: 1 }),
          });
        await run(WARM_UP);
        return run(DURATION);
      };
      // A first page and its total, as the items page first opens (未销号, by deadline); the total must be exact.
      const firstPage = async (who: string, as: Record<string, string>, expected: number) => {
        const answer = await fetch(`${url}/api/items?closed=false&pageSize=20`, { headers: as });
        const { total } = (await answer.json()) as { total: number };
        if (total !== expected) {
          throw new Error(`the ${who}'s total is ${total}, not ${expected}`);
        }
        return load('/api/items?closed=false&pageSize=20', undefined, 'GET', as);
      };
      const [[{ own, all }]] = (await raw.query(
        "SELECT SUM(regionCode = ?) AS own, COUNT(*) AS `all` FROM items WHERE status <> 'closed'",
        [SUBDISTRICTS[0]],
      )) as unknown as [{ own: string; all: string }[]];

      process.stderr.write(`  loading ${url} for ${DURATION} s per route …\n`);
      const bare = await load('/bench/bare');
      // The baseline of the routes loaded from this thread.
      const bareHere = await load('/bench/bare', (req) => req);
      const officerFirst = await firstPage('officer', headers, Number(own));
      const caseworkerFirst = await firstPage('caseworker', caseworkerHeaders, Number(all));
      const list = await load('/api/items?status=open&pageSize=20');
      // The list page as it first opens (every status), and a page deep into it (offset 19 980).
      const listAll = await load('/api/items?pageSize=20');
      const listDeep = await load('/api/items?pageSize=20&page=1000');
      const profile = await load('/api/households/1', (req) => ({
        ...req,
        path: `/api/households/${ownHouseholds[nextHousehold++ % ownHouseholds.length].id}`,
      }));
      const close = await load(
        '/api/items/0/close',
        (req) => ({
          ...req,
          path: `/api/items/${openItems[nextItem++ % openItems.length].id}/close`,
          body: JSON.stringify({ resolution: '压测销号', version: 1 }),
        }),
        'POST',
      );
      const line = (name: string, r: autocannon.Result, goals = false, base = bare): BenchLine[] => [
        {
          name: `${name}: throughput`,
          unit: 'req/s',
          value: r.requests.average,
          baselineName: base === bare ? 'bare route, client in a worker thread' : 'bare route, client in this thread',
          baseline: base.requests.average,
          higherIsBetter: true,
          ...(goals ? { goal: { min: 500 } } : {}),
          note: `non-2xx ${r.non2xx}${r.non2xx > 0 ? ` (${statusCounts(r)})` : ''}, errors ${r.errors}`,
        },
        {
          name: `${name}: latency p50 / p99`,
          unit: 'ms p99',
          value: r.latency.p99,
          baselineName: base === bare ? 'bare route, client in a worker thread' : 'bare route, client in this thread',
          baseline: base.latency.p99,
          higherIsBetter: false,
          ...(goals ? { goal: { max: 100 } } : {}),
          note: `p50 ${r.latency.p50} ms (bare ${base.latency.p50} ms)`,
        },
      ];
      return [
        ...line(
          `officer's first page, 未销号, with its exact total (${fast(Number(own))} of ${fast(ITEMS)} items)`,
          officerFirst,
          true,
        ),
        ...line(`caseworker's first page, 未销号, with its exact total (${fast(Number(all))})`, caseworkerFirst, true),
        ...line(`officer's items list, open (of ${fast(ITEMS)} items)`, list),
        ...line(`officer's items list, every status`, listAll),
        ...line(`officer's items list, every status, page 1 000`, listDeep),
        ...line(`household profile (of ${fast(households)} households)`, profile, false, bareHere),
        ...line('item close (销号)', close, false, bareHere),
      ];
    } finally {
      if (app) {
        // autocannon abandons its last requests in flight: let the server finish them before the
        // database pool closes under them (Nest closes the HTTP server last).
        await sleep(1000);
      }
      await app?.close();
      await drop();
    }
  },
};
