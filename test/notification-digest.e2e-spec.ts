import request from 'supertest';
import { SUBDISTRICT_A, SUBDISTRICT_B } from './factories/households.js';
import { newCampaign, newItem, unique } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { csrfOf, pageLogin } from './utils/pages.js';

interface NoticeRow {
  id: number;
  itemId: number;
  kind: string;
  level: number;
  title: string;
  body: string;
  link: string;
  readAt: string | null;
}

/**
 * 到期汇总 and 全部标为已读 (issue #17): a run that would give one user more than five notices of one
 * level writes one digest naming them, with a link to the filtered 台账; five or fewer stay apart.
 */
describe('notification digests and 全部标为已读', () => {
  let t: TestApp;
  let admin: string;
  let caseworker: string;
  const password = 'Officer-2020';
  const users = { many: `dg_many_${unique()}`.slice(0, 32), few: `dg_few_${unique()}`.slice(0, 32) };
  const tokens: Record<string, string> = {};
  const itemIds: Record<'many' | 'few', number[]> = { many: [], few: [] };

  const inbox = async (who: 'many' | 'few') =>
    (await request(t.http).get('/api/notifications?pageSize=100').set('Authorization', tokens[who]).expect(200))
      .body as { items: NoticeRow[]; unread: number; total: number };

  beforeAll(async () => {
    // A database of its own: the run's recipients get exactly the notices counted here.
    t = await createTestApp({}, { freshDatabase: true });
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    // Everything already filed reaches its last level first (the demo items: 督办), so that the run
    // below raises only this test's items.
    t.clock.set('2020-06-08T02:00:00Z');
    await request(t.http).post('/api/escalations/run').set('Authorization', admin).send({}).expect(200);
    for (const [who, regionCode] of [
      ['many', SUBDISTRICT_A],
      ['few', SUBDISTRICT_B],
    ] as const) {
      await request(t.http)
        .post('/api/users')
        .set('Authorization', admin)
        .send({ username: users[who], password, role: 'subdistrict_officer', regionCode })
        .expect(201);
      tokens[who] = await t.login(users[who], password);
    }
    const campaign = await newCampaign(t, admin, { deadline: '2020-06-30' });
    for (let i = 0; i < 6; i++) {
      itemIds.many.push((await newItem(t, caseworker, campaign.id, { title: `汇总测试${i}` })).id as number);
    }
    for (let i = 0; i < 5; i++) {
      const item = await newItem(t, caseworker, campaign.id, { title: `逐条测试${i}`, regionCode: SUBDISTRICT_B });
      itemIds.few.push(item.id as number);
    }
    // 14 days before the deadline: every one of them reaches 提醒 (level 1, the sub-district's officers).
    t.clock.set('2020-06-16T02:00:00Z');
    await request(t.http).post('/api/escalations/run').set('Authorization', admin).send({}).expect(200);
  });

  afterAll(() => t.close());

  it('gives a user with six items due one digest naming them, linking to the filtered list', async () => {
    const { items } = await inbox('many');
    expect(items).toHaveLength(1);
    const [digest] = items;
    expect(digest).toMatchObject({ kind: 'digest', level: 1, readAt: null });
    expect(digest.title).toBe('【提醒汇总】今日 6 项整改问题达到「提醒」');
    for (const id of itemIds.many) {
      expect(digest.body).toContain(`（城关街道，截止2020年6月30日，编号${id}）`);
    }
    expect(digest.link).toBe('/items?closed=false&level=1&sort=deadline');
    // The link's list holds every item the digest names.
    const list = await request(t.http)
      .get(`/api/items?${digest.link.split('?')[1]}&pageSize=100`)
      .set('Authorization', tokens.many)
      .expect(200);
    const listed = (list.body.items as { id: number }[]).map((i) => i.id);
    expect(listed).toEqual(expect.arrayContaining(itemIds.many));
  });

  it('gives a user with five items due five notices, one an item', async () => {
    const { items } = await inbox('few');
    expect(items.map((n) => n.kind)).toEqual(['escalation', 'escalation', 'escalation', 'escalation', 'escalation']);
    expect(items.map((n) => n.itemId).sort((a, b) => a - b)).toEqual(itemIds.few);
    expect(items.every((n) => n.link === `/items/${n.itemId}`)).toBe(true);
  });

  it('全部标为已读 (API): marks the caller’s unread notices, nobody else’s', async () => {
    const res = await request(t.http).post('/api/notifications/read-all').set('Authorization', tokens.few).expect(200);
    expect(res.body).toEqual({ marked: 5 });
    const after = await inbox('few');
    expect(after.unread).toBe(0);
    expect(after.items.every((n) => n.readAt !== null)).toBe(true);
    expect((await inbox('many')).unread).toBe(1);
    const again = await request(t.http)
      .post('/api/notifications/read-all')
      .set('Authorization', tokens.few)
      .expect(200);
    expect(again.body).toEqual({ marked: 0 });
    await request(t.http).post('/api/notifications/read-all').expect(401);
  });

  it('全部标为已读 (page): a button while there is something unread, then none', async () => {
    const agent = await pageLogin(t.http, users.many, password);
    const page = await agent.get('/notifications').expect(200);
    expect(page.text).toContain('全部标为已读');
    expect(page.text).toContain('href="/items?closed&#x3D;false&amp;level&#x3D;1&amp;sort&#x3D;deadline"');
    await agent
      .post('/notifications/read-all')
      .type('form')
      .send({ _csrf: csrfOf(page.text) })
      .expect(303)
      .expect('Location', '/notifications');
    expect((await inbox('many')).unread).toBe(0);
    const after = await agent.get('/notifications').expect(200);
    expect(after.text).not.toContain('全部标为已读');
  });
});
