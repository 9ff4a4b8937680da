import request from 'supertest';
import { DataSource } from 'typeorm';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { householdInput, SUBDISTRICT_A, SUBDISTRICT_B, VILLAGE_A } from './factories/households.js';
import { itemInput, newCampaign, newItem } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

type User = 'admin' | 'caseworker' | 'insurance' | 'officer1' | 'officer2' | 'leader';

describe('who may read and act on items (SPEC §1)', () => {
  let t: TestApp;
  const token = {} as Record<User, string>;
  let campaignId: number;

  beforeAll(async () => {
    t = await createTestApp();
    token.admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    for (const user of ['caseworker', 'insurance', 'officer1', 'officer2', 'leader'] as const) {
      token[user] = await t.login(user);
    }
    campaignId = (await newCampaign(t, token.admin)).id;
  });

  afterAll(() => t.close());

  const post = (path: string, user: User, body: object = {}) =>
    request(t.http).post(path).set('Authorization', token[user]).send(body);
  const get = (path: string, user: User) => request(t.http).get(path).set('Authorization', token[user]);
  const inA = (overrides: Record<string, unknown> = {}) => newItem(t, token.caseworker, campaignId, overrides);
  const inB = () => newItem(t, token.caseworker, campaignId, { regionCode: SUBDISTRICT_B });
  const entries = (itemId: number) => t.app.get(DataSource).getRepository(LedgerEntry).countBy({ itemId });

  it.each([
    ['admin', 201],
    ['caseworker', 201],
    ['insurance', 403],
    ['officer1', 403],
    ['leader', 403],
  ] as const)('%s filing an item: %i', async (user, status) => {
    await post('/api/items', user, itemInput(campaignId)).expect(status);
  });

  it('officers act on their own sub-district’s items and get 404 for their neighbour’s', async () => {
    const own = await inA();
    await post(`/api/items/${own.id}/start`, 'officer1').expect(200);
    await post(`/api/items/${own.id}/progress`, 'officer1', { note: '入户核实' }).expect(200);
    await post(`/api/items/${own.id}/close`, 'officer1', { resolution: '整改完成', version: 2 }).expect(200);

    const other = await inB();
    await get(`/api/items/${other.id}`, 'officer1').expect(404);
    await get(`/api/items/${other.id}/ledger/verify`, 'officer1').expect(404);
    for (const [action, body] of [
      ['start', {}],
      ['progress', { note: '越权' }],
      ['close', { resolution: '越权销号', version: 1 }],
    ] as const) {
      const res = await post(`/api/items/${other.id}/${action}`, 'officer1', body).expect(404);
      expect(res.body.message).toBe(`item ${other.id} not found`);
    }
    expect(await entries(other.id)).toBe(1);
    // The neighbour's officer may.
    await post(`/api/items/${other.id}/start`, 'officer2').expect(200);
  });

  it('officers may not reopen, reassign or move deadlines (403)', async () => {
    const item = await inA();
    await post(`/api/items/${item.id}/close`, 'officer1', { resolution: '整改完成', version: 1 }).expect(200);
    await post(`/api/items/${item.id}/reopen`, 'officer1', { reason: '自行重启' }).expect(403);
    await post(`/api/items/${item.id}/reassign`, 'officer1', { regionCode: SUBDISTRICT_B, version: 2 }).expect(403);
    await post(`/api/items/${item.id}/deadline`, 'officer1', { deadline: '2020-07-01', version: 2 }).expect(403);
    expect(await entries(item.id)).toBe(2);
  });

  it('insurance staff act on insurance items only (403 on a health item), and may not reopen', async () => {
    const health = await inA({ category: 'contract' });
    const res = await post(`/api/items/${health.id}/start`, 'insurance').expect(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden', code: 'forbidden' });
    await post(`/api/items/${health.id}/close`, 'insurance', { resolution: '越权销号', version: 1 }).expect(403);
    await get(`/api/items/${health.id}`, 'insurance').expect(200);
    expect(await entries(health.id)).toBe(1);

    const insurance = await newItem(t, token.caseworker, campaignId, {
      category: 'insurance',
      regionCode: SUBDISTRICT_B,
    });
    expect(insurance.responsibleDept).toBe('insurance');
    await post(`/api/items/${insurance.id}/start`, 'insurance').expect(200);
    await post(`/api/items/${insurance.id}/close`, 'insurance', { resolution: '已补缴参保', version: 2 }).expect(200);
    await post(`/api/items/${insurance.id}/reopen`, 'insurance', { reason: '复核' }).expect(403);
  });

  it('caseworkers and admins act on every item and reopen; the leadership reads only', async () => {
    const item = await inB();
    await post(`/api/items/${item.id}/start`, 'leader').expect(403);
    await post(`/api/items/${item.id}/progress`, 'leader', { note: '督导意见' }).expect(403);
    await post(`/api/items/${item.id}/close`, 'leader', { resolution: '领导销号', version: 1 }).expect(403);
    await get(`/api/items/${item.id}`, 'leader').expect(200);

    await post(`/api/items/${item.id}/start`, 'admin').expect(200);
    await post(`/api/items/${item.id}/close`, 'caseworker', { resolution: '整改完成', version: 2 }).expect(200);
    await post(`/api/items/${item.id}/reopen`, 'caseworker', { reason: '群众反映未解决' }).expect(200);
    await post(`/api/items/${item.id}/close`, 'admin', { resolution: '再次整改完成', version: 4 }).expect(200);
    await post(`/api/items/${item.id}/reopen`, 'admin', { reason: '抽查不合格' }).expect(200);
    expect(await entries(item.id)).toBe(6);
  });

  it('lists filter silently to an officer’s sub-district, whatever region is asked for', async () => {
    await inA();
    await inB();
    const own = await get(`/api/items?campaignId=${campaignId}&pageSize=200`, 'officer1').expect(200);
    expect(own.body.total).toBeGreaterThan(0);
    expect(own.body.items.every((i: { regionCode: string }) => i.regionCode === SUBDISTRICT_A)).toBe(true);
    const all = await get(`/api/items?campaignId=${campaignId}&pageSize=200`, 'caseworker').expect(200);
    expect(all.body.total).toBeGreaterThan(own.body.total);
    const asked = await get(`/api/items?campaignId=${campaignId}&regionCode=${SUBDISTRICT_B}`, 'officer1').expect(200);
    expect(asked.body).toMatchObject({ items: [], total: 0 });
  });

  it('shows a person subject’s name and masked ID to the record readers, not to the leadership', async () => {
    const household = await post('/api/households', 'caseworker', householdInput({ regionCode: VILLAGE_A })).expect(
      201,
    );
    const person = household.body.members[0];
    const item = await inA({ subjectType: 'person', subjectId: person.id, regionCode: undefined });
    for (const user of ['admin', 'caseworker', 'insurance', 'officer1'] as const) {
      const res = await get(`/api/items/${item.id}`, user).expect(200);
      expect(res.body).toMatchObject({ subjectName: '测试户主', subjectIdNumber: person.idNumber });
    }
    const leader = await get(`/api/items/${item.id}`, 'leader').expect(200);
    expect(leader.body).toMatchObject({ subjectType: 'person', subjectName: null, subjectIdNumber: null });
  });

  it('campaigns: every role reads them, only admins create them', async () => {
    for (const user of ['caseworker', 'insurance', 'officer1', 'leader'] as const) {
      await get('/api/campaigns', user).expect(200);
      await post('/api/campaigns', user, { name: '无权创建' }).expect(403);
    }
  });
});
