import type { Browser } from 'playwright-core';
import request from 'supertest';
import { DataSource, IsNull } from 'typeorm';
import { Notification } from '../src/notifications/notification.entity.js';
import { newItem, unique } from './factories/items.js';
import { launchBrowser, screenshot, serve, signIn } from './utils/browser.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { csrfOf, pageLogin } from './utils/pages.js';

/**
 * After the May deadline: the escalation job has raised the demo campaign's open items, the
 * officers have notices in their inbox (提醒) and the bulletin lists the overdue items. A database
 * of its own (the job raises every open item of the demo district).
 */
describe('pages after the deadline: inbox and bulletin', () => {
  let t: TestApp;
  let db: DataSource;
  let title: string;
  let itemId: number;

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
    db = t.app.get(DataSource);
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    const campaigns = await request(t.http).get('/api/campaigns').set('Authorization', admin).expect(200);
    const demo = (campaigns.body.items as { id: number; name: string }[]).find(
      (c) => c.name === '2020年健康扶贫问题整改',
    )!;
    title = `<b>卫生室</b> & "台账"${unique()}`;
    itemId = (await newItem(t, admin, demo.id, { title })).id;
    t.clock.set('2020-06-03T02:00:00Z');
    await request(t.http).post('/api/escalations/run').set('Authorization', admin).send({}).expect(200);
  });

  afterAll(() => t.close());

  it("lists the officer's notices, escaped once, with the unread count in the navigation", async () => {
    const officer = await pageLogin(t.http, 'officer1');
    const inbox = await officer.get('/notifications').expect(200);
    const unread = await db.getRepository(Notification).countBy({ userId: await userId('officer1'), readAt: IsNull() });
    expect(unread).toBeGreaterThan(0);
    expect(inbox.text).toMatch(/提醒<span class="nav-count" title="未读提醒">\d+<\/span>/);
    expect(inbox.text).toContain('<span class="badge level-3">逾期</span>');
    // Stored escaped by the notice templates; shown escaped exactly once.
    expect(inbox.text).toContain('&lt;b&gt;卫生室&lt;/b&gt; &amp; &quot;台账&quot;');
    expect(inbox.text).not.toContain('&amp;lt;');
    expect(inbox.text).not.toContain('<b>卫生室');
    // officer1's overdue items of the run are more than five: one digest (到期汇总) names them, linking to the list.
    expect(inbox.text).toContain(`编号${itemId}）`);
    expect(inbox.text).toContain('href="/items?closed&#x3D;false&amp;level&#x3D;3&amp;sort&#x3D;deadline"');
  });

  it('marks a notice read (CSRF token required) and refuses another user’s', async () => {
    const me = await userId('officer1');
    const notice = (await db.getRepository(Notification).findBy({ userId: me, kind: 'digest' })).find((n) =>
      n.body.includes(`编号${itemId}）`),
    )!;
    expect(notice).toBeDefined();
    const officer = await pageLogin(t.http, 'officer1');
    const page = await officer.get('/notifications?unread=true').expect(200);
    await officer.post(`/notifications/${notice.id}/read`).type('form').send({}).expect(403);
    const res = await officer
      .post(`/notifications/${notice.id}/read?unread=true`)
      .type('form')
      .send({ _csrf: csrfOf(page.text) })
      .expect(303);
    expect(res.headers.location).toBe('/notifications?unread=true');
    expect((await db.getRepository(Notification).findOneByOrFail({ id: notice.id })).readAt).not.toBeNull();
    const after = await officer.get('/notifications?unread=true').expect(200);
    expect(after.text).not.toContain(`/notifications/${notice.id}/read`);

    const other = await pageLogin(t.http, 'officer2');
    const otherPage = await other.get('/notifications').expect(200);
    await other
      .post(`/notifications/${notice.id}/read`)
      .type('form')
      .send({ _csrf: csrfOf(otherPage.text) })
      .expect(404);
  });

  it("shows the escalation in the item's timeline", async () => {
    const officer = await pageLogin(t.http, 'officer1');
    const res = await officer.get(`/items/${itemId}`).expect(200);
    expect(res.text).toContain('预警升级');
    expect(res.text).toContain('预警等级：正常 → 逾期（截至2020年6月3日）');
    expect(res.text).toContain('逾期 3 天');
  });

  describe('in a browser', () => {
    let browser: Browser;
    let base: string;

    beforeAll(async () => {
      base = await serve(t);
      browser = await launchBrowser();
    });

    afterAll(() => browser?.close());

    it('the bulletin lists the ten most overdue supervised items; screenshots of it and of the inbox', async () => {
      // A week after the deadline the items are 督办 (supervised), the level the bulletin lists.
      t.clock.set('2020-06-10T02:00:00Z');
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
      const page = await context.newPage();
      await signIn(page, base, 'leader');
      await page.goto(`${base}/bulletin`);
      const section = page.locator('.bulletin section:nth-of-type(4)');
      const supervised = Number(/列入督办的问题共 (\d+) 个/.exec(await section.innerText())![1]);
      expect(supervised).toBeGreaterThan(10);
      await expect(section.locator('tbody tr').count()).resolves.toBe(10);
      await expect(section.locator('a:has-text("下载 Excel")').getAttribute('href')).resolves.toContain('level=4');
      await expect(page.locator('.bulletin-meta').textContent()).resolves.toContain('2020年6月10日');
      await screenshot(page, 'bulletin-after-deadline');
      await context.close();

      const officer = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
      const inbox = await officer.newPage();
      await signIn(inbox, base, 'officer3');
      await inbox.click('nav.nav >> text=提醒');
      await expect(inbox.locator('.notice').count()).resolves.toBeGreaterThan(0);
      await screenshot(inbox, 'inbox');
      await officer.close();
    });
  });

  async function userId(username: string): Promise<number> {
    const rows = await db.query<{ id: number }[]>('SELECT id FROM users WHERE username = ?', [username]);
    return Number(rows[0].id);
  }
});
