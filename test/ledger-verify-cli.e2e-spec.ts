import { DataSource, MoreThan } from 'typeorm';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';
import { runLedgerVerify } from './utils/ledger.js';

/** `npm run ledger:verify`, the check to run after restoring a backup (README, Operations). */
describe('ledger:verify over the whole database', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
  });

  afterAll(() => t.close());

  const verify = () => runLedgerVerify(t);

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

  it('names an item whose kept tail is not the end of its chain (an entry cut off the end)', async () => {
    const db = t.app.get(DataSource);
    const item = await db
      .getRepository(Item)
      .findOneOrFail({ where: { ledgerSeq: MoreThan(1) }, order: { id: 'DESC' } });
    await db.getRepository(LedgerEntry).delete({ itemId: item.id, seq: item.ledgerSeq });
    const cut = verify();
    expect(cut.status).toBe(1);
    expect(cut.stderr).toContain(`item ${item.id}: chain broken at seq ${item.ledgerSeq}`);
    expect(cut.stderr).toMatch(/2 broken chain\(s\)/);
  });
});
