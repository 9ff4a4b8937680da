import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app/app.module.js';
import type { AuthUser } from '../../src/auth/auth-user.js';
import { buildDemoDistrict } from '../../src/app/demo/demo-district.js';
import { ListItemsQuery } from '../../src/ledger/dto/list-items.dto.js';
import { ItemQueries } from '../../src/ledger/item-queries.service.js';
import { ItemsService } from '../../src/ledger/items.service.js';
import { benchDatabase } from './bench-db.js';
import { type Bench, type BenchLine, timed } from './report.js';

const ITEMS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const CHUNK = 5_000;
const LIST_RUNS = 30;
/** Closes through the service and raw, alternating in rounds of CLOSES_PER_ROUND each. */
const CLOSE_ROUNDS = 20;
const CLOSES_PER_ROUND = 25;
const CLOSES = CLOSE_ROUNDS * CLOSES_PER_ROUND;

const SUBDISTRICTS = ['610199001000', '610199002000', '610199003000', '610199004000', '610199005000'];
const CATEGORIES = ['insurance', 'contract', 'treatment', 'data', 'facility', 'staffing', 'other'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Issue #4: with 1 000 000 items in MySQL, an officer's filtered first page (open items of their
 * sub-district, by deadline) and closing items one by one through ItemsService, each beside the same
 * SQL sent raw through mysql2 in the same run.
 */
export const ledgerBench: Bench = {
  name: 'ledger',
  async run(): Promise<BenchLine[]> {
    const { config, db, raw, drop } = await benchDatabase('ledger');
    let app: INestApplicationContext | undefined;
    try {
      await db.query('INSERT INTO regions (code, name, level, parentCode) VALUES ?', [
        buildDemoDistrict().regions.map((r) => [r.code, r.name, r.level, r.parentCode]),
      ]);
      await raw.query(
        "INSERT INTO campaigns (name, year, deadline, reminderDays, warningDays, supervisedDays, closeReview, evidenceRequired) VALUES ('基准专项', 2020, '2020-05-31', 14, 3, 7, 0, 0)",
      );
      const started = Date.now();
      for (let offset = 0; offset < ITEMS; offset += CHUNK) {
        const rows = [];
        for (let i = offset; i < Math.min(ITEMS, offset + CHUNK); i++) {
          const day = 1 + (i % 120);
          const deadline = new Date(Date.UTC(2020, 3, day)).toISOString().slice(0, 10);
          const status = i % 10 < 6 ? 'open' : i % 10 < 8 ? 'in_progress' : 'closed';
          rows.push([
            1,
            CATEGORIES[i % 7],
            `基准问题${i}`,
            SUBDISTRICTS[i % 5],
            i % 4 === 0 ? 'insurance' : 'health',
            deadline,
            'inspection',
            status,
            0,
            1,
          ]);
        }
        await raw.query(
          'INSERT INTO items (campaignId, category, title, regionCode, responsibleDept, deadline, source, status, escalationLevel, version) VALUES ?',
          [rows],
        );
        if (offset % 200_000 === 0) {
          process.stderr.write(
            `  items ${offset + rows.length}/${ITEMS} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`,
          );
        }
      }
      await raw.query('ANALYZE TABLE items');

      app = await NestFactory.createApplicationContext(
        AppModule.forRoot({ ...config, DEMO_DATA: '0', ADMIN_PASSWORD: 'Bench-pass-2020' } as typeof config),
        {
          logger: ['error', 'warn'],
        },
      );
      const items = app.get(ItemsService);
      const queries = app.get(ItemQueries);
      const officer: AuthUser = {
        id: 1,
        username: 'admin',
        displayName: 'admin',
        role: 'subdistrict_officer',
        regionCode: SUBDISTRICTS[0],
      };
      const query = Object.assign(new ListItemsQuery(), { status: 'open', page: 1, pageSize: 50 });

      // Warm both paths, then measure alternately.
      const pageSql =
        'SELECT * FROM items i WHERE i.regionCode LIKE ? AND i.status = ? ORDER BY i.deadline ASC, i.id ASC LIMIT 50';
      const countSql = 'SELECT COUNT(*) AS n FROM items i WHERE i.regionCode = ? AND i.status = ?';
      const rawList = async () => {
        await raw.query(pageSql, [SUBDISTRICTS[0], 'open']);
        await raw.query(countSql, [SUBDISTRICTS[0], 'open']);
      };
      await queries.list(officer, query);
      await rawList();
      const appTimes: number[] = [];
      const rawTimes: number[] = [];
      for (let i = 0; i < LIST_RUNS; i++) {
        appTimes.push(await timed(() => queries.list(officer, query)));
        rawTimes.push(await timed(rawList));
      }

      // Closing: each through the service (row lock, version check, hash-chained ledger entry)
      // versus the raw UPDATE with the version guard plus one INSERT of a ledger row, in a transaction.
      const [open] = (await raw.query(
        "SELECT id FROM items WHERE regionCode = ? AND status = 'open' ORDER BY id LIMIT ?",
        [SUBDISTRICTS[0], CLOSES * 2 + 1],
      )) as unknown as [{ id: number }[]];
      const caseworker: AuthUser = {
        id: 1,
        username: 'admin',
        displayName: 'admin',
        role: 'health_caseworker',
        regionCode: null,
      };
      // Every statement the app's DataSource sends goes through its logger: counted for the note.
      const appDb = app.get(DataSource);
      const logger = appDb.logger;
      let statements = 0;
      const counting = Object.create(logger) as typeof logger;
      counting.logQuery = (query, parameters, runner) => {
        statements++;
        logger.logQuery(query, parameters, runner);
      };
      await items.close(caseworker, open[0].id, { resolution: '基准测试销号', version: 1 });
      // The two alternate in rounds, so that a change in the machine's load falls on both alike.
      const rawCloseOne = async (id: number) => {
        const at = new Date().toISOString();
        const hash = createHash('sha256').update(`${id}${at}`).digest('hex');
        await raw.beginTransaction();
        await raw.query(
          "UPDATE items SET status = 'closed', resolution = ?, closedAt = NOW(), closedOn = CURDATE(), openKey = NULL, version = version + 1, ledgerSeq = ledgerSeq + 1, ledgerHash = ? WHERE id = ? AND version = ?",
          ['基准测试销号', hash, id, 1],
        );
        await raw.query(
          "INSERT INTO ledger_entries (itemId, seq, type, actorId, actorName, at, note, payload, prevHash, hash) VALUES (?, 1, 'closed', 1, 'admin', ?, ?, '{\"status\":\"closed\"}', ?, ?)",
          [id, at, '基准测试销号', '0'.repeat(64), hash],
        );
        await raw.commit();
      };
      let serviceClose = 0;
      let rawClose = 0;
      for (let round = 0; round < CLOSE_ROUNDS; round++) {
        const ids = open.slice(1 + round * 2 * CLOSES_PER_ROUND, 1 + (round + 1) * 2 * CLOSES_PER_ROUND);
        Object.assign(appDb, { logger: counting });
        serviceClose += await timed(async () => {
          for (const { id } of ids.slice(0, CLOSES_PER_ROUND)) {
            await items.close(caseworker, id, { resolution: '基准测试销号', version: 1 });
          }
        }).finally(() => Object.assign(appDb, { logger }));
        rawClose += await timed(async () => {
          for (const { id } of ids.slice(CLOSES_PER_ROUND)) {
            await rawCloseOne(id);
          }
        });
      }
      return [
        {
          name: `officer's first page of open items (of ${ITEMS.toLocaleString('en')}), median of ${LIST_RUNS}`,
          unit: 'ms',
          value: median(appTimes),
          baselineName: 'same page + count, raw mysql2',
          baseline: median(rawTimes),
          higherIsBetter: false,
        },
        {
          name: `close ${CLOSES} items one by one (ItemsService.close)`,
          unit: 'ms/item',
          value: serviceClose / CLOSES,
          baselineName: 'raw versioned UPDATE (with the chain tail) + ledger INSERT in a transaction, 4 round trips',
          baseline: rawClose / CLOSES,
          higherIsBetter: false,
          goal: { minRatio: 0.33 },
          note: `${(statements / CLOSES).toFixed(1)} round trips a close; the service also checks the item, hashes, and answers with the item, its names and its ledger`,
        },
      ];
    } finally {
      await app?.close();
      await drop();
    }
  },
};
