import request from 'supertest';
import { DataSource } from 'typeorm';
import { User } from '../src/auth/user.entity.js';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { householdInput, VILLAGE_B } from './factories/households.js';
import { newCampaign } from './factories/items.js';
import { INSURANCE_HEADER, toCsv, waitUntilFinished } from './factories/rosters.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

/** Every writer of the ledger names its user the same way: by id and display name (ledgerActorOf). */
describe('the ledger names the acting user the same way in every writer', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  let caseworker: string;
  let insurance: string;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2020-04-15T02:00:00Z');
    db = t.app.get(DataSource);
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    insurance = await t.login('insurance');
  });

  afterAll(() => t.close());

  const entry = (itemId: number, type: LedgerEntry['type']) =>
    db.getRepository(LedgerEntry).findOneByOrFail({ itemId, type });
  /** The actor columns for a user: their id and their display name, never the username. */
  const actorOf = async (username: string) => {
    const user = await db.getRepository(User).findOneByOrFail({ username });
    expect(user.displayName).not.toBe(user.username);
    return { actorId: user.id, actorName: user.displayName };
  };

  it('a gap check (caseworker), an item action and a reconciliation (insurance staff) write id and display name', async () => {
    const campaign = await newCampaign(t, admin, { year: 2020 });
    // A household nobody enrolled for 2020: the gap check files a 未参保 item for its head.
    const input = householdInput({ regionCode: VILLAGE_B });
    const household = await request(t.http).post('/api/households').set('Authorization', caseworker).send(input);
    expect(household.status).toBe(201);
    const head = household.body.members[0] as { id: number; name: string };

    await request(t.http)
      .post('/api/checks/run')
      .set('Authorization', caseworker)
      .send({ campaignId: campaign.id, asOf: '2020-04-15' })
      .expect(200);
    const checked = await db
      .getRepository(Item)
      .findOneByOrFail({ campaignId: campaign.id, subjectId: head.id, source: 'check', category: 'insurance' });

    await request(t.http)
      .post(`/api/items/${checked.id}/start`)
      .set('Authorization', insurance)
      .send({ version: checked.version })
      .expect(200);

    // The roster lists the head under another name: a 姓名不一致 discrepancy, filed as an item.
    const roster = toCsv(INSURANCE_HEADER, [[input.members[0].idNumber, `${head.name}甲`, 2020, '是', '否']]);
    const rec = await request(t.http)
      .post('/api/reconciliations')
      .set('Authorization', insurance)
      .field('year', '2020')
      .attach('file', Buffer.from(roster), 'roster.csv')
      .expect(202);
    await waitUntilFinished(t, insurance, `/api/reconciliations/${rec.body.id}`);
    await request(t.http)
      .post(`/api/reconciliations/${rec.body.id}/items`)
      .set('Authorization', insurance)
      .send({ kinds: ['name_mismatch'], campaignId: campaign.id })
      .expect(200);
    const reconciled = await db
      .getRepository(Item)
      .findOneByOrFail({ campaignId: campaign.id, subjectId: head.id, source: 'reconciliation' });

    expect(await entry(checked.id, 'created')).toMatchObject(await actorOf('caseworker'));
    expect(await entry(checked.id, 'started')).toMatchObject(await actorOf('insurance'));
    expect(await entry(reconciled.id, 'created')).toMatchObject(await actorOf('insurance'));
  });
});
