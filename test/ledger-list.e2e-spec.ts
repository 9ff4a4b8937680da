import request from 'supertest';
import { DataSource } from 'typeorm';
import { Item } from '../src/ledger/item.entity.js';
import { SUBDISTRICT_A, SUBDISTRICT_B } from './factories/households.js';
import { newCampaign, newItem } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { statementsSent } from './utils/statements.js';

interface Row {
  id: number;
  deadline: string;
  status: string;
  daysLeft: number | null;
  overdue: boolean;
}

describe('the item list: filters, order, pages (SPEC §3)', () => {
  let t: TestApp;
  let caseworker: string;
  let campaignId: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    campaignId = (await newCampaign(t, admin)).id;
    const make = async (name: string, overrides: Record<string, unknown>) => {
      ids[name] = (await newItem(t, caseworker, campaignId, overrides)).id as number;
    };
    // Created out of deadline order, so that the list's sorting shows.
    await make('mayA', { category: 'contract' });
    await make('aprilB', { regionCode: SUBDISTRICT_B, category: 'insurance', deadline: '2020-04-30' });
    await make('juneA', { category: 'data', deadline: '2020-06-30' });
    await make('mayB', { regionCode: SUBDISTRICT_B, category: 'contract' });
    await make('closedApril', { category: 'treatment', deadline: '2020-04-20' });
    await request(t.http)
      .post(`/api/items/${ids.closedApril}/close`)
      .set('Authorization', caseworker)
      .send({ resolution: '整改完成', version: 1 })
      .expect(200);
    await make('escalated', { category: 'facility', deadline: '2020-05-10' });
    await t.app.get(DataSource).getRepository(Item).update({ id: ids.escalated }, { escalationLevel: 2 });
  });

  afterAll(() => t.close());

  const list = async (query: Record<string, string | number | boolean>): Promise<{ items: Row[]; total: number }> => {
    const res = await request(t.http)
      .get('/api/items')
      .set('Authorization', caseworker)
      .query({ campaignId, pageSize: 200, ...query })
      .expect(200);
    return res.body as { items: Row[]; total: number };
  };
  const names = (rows: Row[]) => rows.map((r) => Object.keys(ids).find((k) => ids[k] === r.id));

  it('sorts by deadline, then id', async () => {
    const all = await list({});
    expect(all.total).toBe(6);
    expect(names(all.items)).toEqual(['closedApril', 'aprilB', 'escalated', 'mayA', 'mayB', 'juneA']);
  });

  it('pages: pageSize and page, with the total of the whole filter', async () => {
    const page2 = await request(t.http)
      .get('/api/items')
      .set('Authorization', caseworker)
      .query({ campaignId, pageSize: 2, page: 2 })
      .expect(200);
    expect(page2.body).toMatchObject({ total: 6, page: 2, pageSize: 2 });
    expect(names(page2.body.items)).toEqual(['escalated', 'mayA']);
  });

  it('answers a full first page and its exact total in two statements: the token’s user, then the page with its total', async () => {
    const { result: first, sent } = await statementsSent(t.app.get(DataSource), () =>
      request(t.http)
        .get('/api/items')
        .set('Authorization', caseworker)
        .query({ campaignId, pageSize: 2 })
        .then((res) => res),
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 6, page: 1, pageSize: 2 });
    expect(names(first.body.items)).toEqual(['closedApril', 'aprilB']);
    // (These items name no household or person: no subject look-up.)
    expect(sent).toHaveLength(2);
    expect(sent.filter((sql) => /item_counts/.test(sql))).toHaveLength(1);
  });

  it('gives the whole total on a short last page and past the end too', async () => {
    const page = (n: number) =>
      request(t.http)
        .get('/api/items')
        .set('Authorization', caseworker)
        .query({ campaignId, pageSize: 4, page: n })
        .expect(200)
        .then((res) => res.body as { items: Row[]; total: number });
    const last = await page(2);
    expect(last.total).toBe(6);
    expect(names(last.items)).toEqual(['mayB', 'juneA']);
    await expect(page(3)).resolves.toMatchObject({ items: [], total: 6 });
    await expect(list({ category: 'staffing' })).resolves.toMatchObject({ items: [], total: 0 });
  });

  it('filters by status, region, category, department and escalation level', async () => {
    expect(names((await list({ status: 'closed' })).items)).toEqual(['closedApril']);
    expect(names((await list({ regionCode: SUBDISTRICT_B })).items)).toEqual(['aprilB', 'mayB']);
    expect((await list({ regionCode: '610199000000' })).total).toBe(6);
    expect(names((await list({ category: 'contract' })).items)).toEqual(['mayA', 'mayB']);
    expect(names((await list({ responsibleDept: 'insurance' })).items)).toEqual(['aprilB']);
    expect(names((await list({ escalationLevel: 2 })).items)).toEqual(['escalated']);
    expect(names((await list({ status: 'open', regionCode: SUBDISTRICT_A, category: 'data' })).items)).toEqual([
      'juneA',
    ]);
  });

  it('overdue follows the clock: past the deadline and not closed', async () => {
    expect((await list({ overdue: true })).total).toBe(0);
    const today = await list({});
    expect(today.items.find((r) => r.id === ids.mayA)).toMatchObject({ daysLeft: 46, overdue: false });
    expect(today.items.find((r) => r.id === ids.closedApril)).toMatchObject({ daysLeft: null, overdue: false });

    t.clock.set('2020-05-15T02:00:00Z');
    try {
      const overdue = await list({ overdue: true });
      expect(names(overdue.items)).toEqual(['aprilB', 'escalated']);
      expect(overdue.items[0]).toMatchObject({ daysLeft: -15, overdue: true });
      expect(names((await list({ overdue: false })).items)).toEqual(['closedApril', 'mayA', 'mayB', 'juneA']);
    } finally {
      t.clock.set('2020-04-15T02:00:00Z');
    }
  });

  it('refuses bad list parameters, naming each', async () => {
    const res = await request(t.http)
      .get('/api/items')
      .set('Authorization', caseworker)
      .query({ pageSize: 201, status: 'done', overdue: 'yes', escalationLevel: 5, regionCode: '6101', colour: 'red' })
      .expect(400);
    const text = (res.body.message as string[]).join('\n');
    for (const field of ['pageSize', 'status', 'overdue', 'escalationLevel', 'regionCode', 'colour']) {
      expect(text).toContain(field);
    }
  });
});
