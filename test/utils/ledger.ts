import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../../src/config/paths.js';
import { LedgerEntry } from '../../src/ledger/ledger-entry.entity.js';
import type { TestApp } from './create-test-app.js';

/** A ledger entry as the tests compare it: its payload parsed, the chain fields left out. */
export interface LedgerRow {
  seq: number;
  type: string;
  actorId: number | null;
  actorName: string;
  note: string | null;
  payload: Record<string, unknown> | null;
}

/** An item's entries as the database holds them, oldest first. */
export async function ledgerRows(db: DataSource, itemId: number): Promise<LedgerRow[]> {
  const entries = await db.getRepository(LedgerEntry).find({ where: { itemId }, order: { seq: 'ASC' } });
  return entries.map((e) => ({
    seq: e.seq,
    type: e.type,
    actorId: e.actorId,
    actorName: e.actorName,
    note: e.note,
    payload: e.payload === null ? null : (JSON.parse(e.payload) as Record<string, unknown>),
  }));
}

/** `npm run ledger:verify` (the compiled CLI) against the test app's database, with `env` on top. */
export function runLedgerVerify(t: TestApp, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist/src/app/verify-ledger.js')], {
    env: {
      ...process.env,
      NODE_OPTIONS: '',
      DB_TYPE: t.config.DB_TYPE,
      DB_PATH: t.config.DB_PATH,
      DB_NAME: t.config.DB_NAME,
      ...env,
    },
    encoding: 'utf8',
  });
}
