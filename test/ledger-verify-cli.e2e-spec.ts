import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { PROJECT_ROOT } from '../src/config/paths.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';

/** `npm run ledger:verify`, the check to run after restoring a backup (README, Operations). */
describe('ledger:verify over the whole database', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
  });

  afterAll(() => t.close());

  const verify = () =>
    spawnSync(process.execPath, [join(PROJECT_ROOT, 'dist/src/app/verify-ledger.js')], {
      env: {
        ...process.env,
        NODE_OPTIONS: '',
        DB_TYPE: t.config.DB_TYPE,
        DB_PATH: t.config.DB_PATH,
        DB_NAME: t.config.DB_NAME,
      },
      encoding: 'utf8',
    });

  it('passes on the demo ledger and names the item whose entry was altered', async () => {
    const clean = verify();
    expect(clean.stderr).toMatch(/\d+ items checked, 0 broken chain\(s\)/);
    expect(clean.status).toBe(0);

    const entries = t.app.get(DataSource).getRepository(LedgerEntry);
    const victim = await entries.findOneOrFail({ where: { seq: 1 }, order: { id: 'ASC' } });
    await entries.update({ id: victim.id }, { note: '事后篡改' });
    const tampered = verify();
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toContain(`item ${victim.itemId}: chain broken at seq 1`);
    expect(tampered.stderr).toMatch(/1 broken chain\(s\)/);
  });
});
