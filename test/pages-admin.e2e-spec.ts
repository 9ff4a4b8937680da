import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CheckRun } from '../src/checks/check-run.entity.js';
import { EscalationRun } from '../src/escalation/escalation-run.entity.js';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { householdInput, SUBDISTRICT_A, SUBDISTRICT_B, VILLAGE_B } from './factories/households.js';
import { type CampaignBody, newCampaign, newItem, unique } from './factories/items.js';
import { launchBrowser, screenshot, serve, signIn } from './utils/browser.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { csrfOf, pageLogin } from './utils/pages.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

/**
 * Issue #16, the admin's part, in Chromium: 运行查漏补缺 as a dry run (the page lists the counts, the
 * database is unchanged) then confirmed (the items written, as many as the dry run said); 运行预警 the
 * same way; both histories with their status; and the users page — disable (the user's next API
 * request is 401), enable, reset a password (the shown one signs in), unlock after failed logins,
 * change a sub-district. Screenshots at desktop and 390 px go to test/artifacts/.
 */
describe('pages: the admin runs the jobs and manages users (issue 16)', () => {
  let t: TestApp;
  let db: DataSource;
  let base: string;
  let browser: Browser;
  let admin: string;
  let caseworker: string;
  let campaign: CampaignBody;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2020-04-15T02:00:00Z');
    db = t.app.get(DataSource);
    base = await serve(t);
    browser = await launchBrowser();
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    campaign = await newCampaign(t, admin, { name: `查漏补缺专项${unique()}`, year: 2020 });
  });

  afterAll(async () => {
    for (const context of contexts) {
      await context.close();
    }
    await browser?.close();
    await t.close();
  });

  async function adminPage(viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN' });
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, base, 'admin', TEST_ADMIN_PASSWORD);
    return page;
  }

  const text = async (page: Page, selector: string) =>
    ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const sideways = (page: Page) =>
    page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  const counts = async () => ({
    items: await db.getRepository(Item).count(),
    entries: await db.getRepository(LedgerEntry).count(),
    mine: await db.getRepository(Item).countBy({ campaignId: campaign.id }),
  });
  /** Both widths: the page as it is now, then at 390 px with no sideways scrolling. */
  async function shoot(page: Page, name: string): Promise<void> {
    await screenshot(page, `admin-${name}-desktop`);
    await page.setViewportSize(PHONE);
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await screenshot(page, `admin-${name}-phone`);
    await page.setViewportSize(DESKTOP);
  }

  it('runs the gap checks as a dry run (nothing written), then for real (as many items as it said)', async () => {
    // A household with two gaps of its own: a hypertension patient without a contract, nobody insured for 2020.
    const input = householdInput({ regionCode: VILLAGE_B });
    const household = await request(t.http).post('/api/households').set('Authorization', caseworker).send(input);
    expect(household.status).toBe(201);
    const head = (household.body as { members: { id: number }[] }).members[0];
    await request(t.http)
      .post(`/api/persons/${head.id}/conditions`)
      .set('Authorization', caseworker)
      .send({ diseaseCode: 'hypertension', diagnosedOn: '2019-05-01', treatmentCategory: 'contracted' })
      .expect(201);

    const page = await adminPage();
    await page.click('nav.nav >> text=查漏预警');
    await page.waitForURL(`${base}/system/checks`);
    await page.selectOption('select[name="campaignId"]', String(campaign.id));
    await page.fill('input[name="asOf"]', '2020-04-15');
    const before = await counts();
    await Promise.all([page.waitForURL(`${base}/system/checks/dry-run`), page.click('button:has-text("试运行")')]);
    const total = Number(await text(page, '.run-total strong'));
    // At least its own household's three gaps (the demo district's are held by its open items already;
    // on a shared database other tests' households may add theirs).
    expect(total).toBeGreaterThanOrEqual(3);
    await expect(text(page, '.run-counts')).resolves.toContain('慢病患者未签约家庭医生');
    const subjects = await page.locator('.run-rows td[data-label="对象"]').allTextContents();
    expect(subjects.length).toBe(Math.min(total, 20));
    expect(subjects.every((s) => /^\d{6}\*{8}\d{3}[\dX]$/.test(s.trim()))).toBe(true);
    await expect(page.content()).resolves.not.toContain(input.members[0].idNumber);
    expect(await counts()).toEqual(before);
    await shoot(page, 'checks-dry-run');

    await Promise.all([page.waitForURL(/\/system\/checks\?done=\d+$/), page.click('button:has-text("确认运行")')]);
    await expect(text(page, '.run-done')).resolves.toContain(`新开整改问题 ${total} 条`);
    const after = await counts();
    expect(after.mine).toBe(total);
    await expect(db.getRepository(Item).countBy({ campaignId: campaign.id, subjectId: head.id })).resolves.toBe(2);
    expect(after.items - before.items).toBe(total);
    expect(after.entries).toBeGreaterThan(before.entries);
    // The history: the real run and the dry run before it, both done, for this campaign.
    const runs = await db.getRepository(CheckRun).find({ where: { campaignId: campaign.id }, order: { id: 'DESC' } });
    expect(runs.map((r) => [r.dryRun, r.opened, r.finishedAt !== null])).toEqual([
      [false, total, true],
      [true, total, true],
    ]);
    const history = page.locator('.run-history tbody tr');
    await expect(history.nth(0).textContent()).resolves.toMatch(/已完成[\s\S]*正式运行/);
    await expect(history.nth(1).textContent()).resolves.toMatch(/已完成[\s\S]*试运行/);
    await shoot(page, 'checks-history');

    // Bad input comes back in Chinese at its field; without the CSRF token, 403.
    await page.fill('input[name="asOf"]', '');
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/system/checks/dry-run')),
      page.click('button:has-text("试运行")'),
    ]);
    expect(refused.status()).toBe(400);
    await expect(text(page, '.field-error')).resolves.toBe('请填写检查日期');
    const agent = await pageLogin(t.http, 'admin', TEST_ADMIN_PASSWORD);
    await agent
      .post('/system/checks/run')
      .type('form')
      .send({ campaignId: String(campaign.id), asOf: '2020-04-15' })
      .expect(403);
    expect((await counts()).mine).toBe(total);
  });

  it('runs the escalation as a dry run, then for real, and lists the runs with their status', async () => {
    // Filed on 1 April, due on the 25th: on the 15th it reaches 提醒 (level 1), which only a run writes.
    t.clock.set('2020-04-01T02:00:00Z');
    const item = (await newItem(t, admin, campaign.id, { deadline: '2020-04-25' })) as { id: number };
    t.clock.set('2020-04-15T02:00:00Z');
    const levelOf = async () => (await db.getRepository(Item).findOneByOrFail({ id: item.id })).escalationLevel;
    expect(await levelOf()).toBe(0);

    const page = await adminPage();
    await page.goto(`${base}/system/checks`);
    await Promise.all([page.waitForURL(`${base}/system/escalations`), page.click('.run-tabs >> text=预警升级')]);
    await expect(page.locator('input[name="asOf"]').inputValue()).resolves.toBe('2020-04-15');
    const entries = await db.getRepository(LedgerEntry).count();
    await Promise.all([page.waitForURL(`${base}/system/escalations/dry-run`), page.click('button:has-text("试运行")')]);
    const wouldRaise = Number(await text(page, '.run-total strong'));
    expect(wouldRaise).toBeGreaterThanOrEqual(1);
    await expect(text(page, '.run-counts')).resolves.toContain('提醒');
    expect(await page.locator('.run-rows tbody tr').count()).toBe(Math.min(wouldRaise, 20));
    expect(await levelOf()).toBe(0);
    expect(await db.getRepository(LedgerEntry).count()).toBe(entries);
    await shoot(page, 'escalations-dry-run');

    await Promise.all([page.waitForURL(/\/system\/escalations\?done=\d+$/), page.click('button:has-text("确认运行")')]);
    await expect(text(page, '.run-done')).resolves.toContain(`升级整改问题 ${wouldRaise} 条`);
    expect(await levelOf()).toBe(1);
    const [real, dry] = await db.getRepository(EscalationRun).find({ order: { id: 'DESC' }, take: 2 });
    expect([real.dryRun, real.escalated, dry.dryRun, dry.escalated]).toEqual([false, wouldRaise, true, wouldRaise]);
    await expect(page.locator('.run-history tbody tr').nth(0).textContent()).resolves.toMatch(/已完成[\s\S]*正式运行/);

    // A run that stopped without a word (its process was killed) reads 已中断; one that failed, 失败.
    const planted = await db.getRepository(EscalationRun).insert([
      { asOf: '2020-04-14', trigger: 'schedule', dryRun: false, startedAt: new Date('2020-04-14T16:00:00Z') },
      {
        asOf: '2020-04-14',
        trigger: 'schedule',
        dryRun: false,
        startedAt: new Date('2020-04-14T17:00:00Z'),
        error: 'deadlock',
      },
    ]);
    await page.goto(`${base}/system/escalations`);
    await expect(text(page, '.run-history tbody tr:nth-child(1) .badge')).resolves.toBe('失败');
    await expect(text(page, '.run-history tbody tr:nth-child(2) .badge')).resolves.toBe('已中断');
    await shoot(page, 'escalations-history');
    await db.getRepository(EscalationRun).delete(planted.identifiers.map((i) => (i as { id: number }).id));
  });

  describe('users', () => {
    const password = `Officer-pass-${unique()}9`;
    let username: string;
    let userId: number;

    beforeAll(async () => {
      username = `pgadm_${unique()}`;
      const created = await request(t.http)
        .post('/api/users')
        .set('Authorization', admin)
        .send({ username, password, role: 'subdistrict_officer', regionCode: SUBDISTRICT_A, displayName: '李街道' })
        .expect(201);
      userId = (created.body as { id: number }).id;
    });

    const login = (pass: string) => request(t.http).post('/api/auth/login').send({ username, password: pass });
    const me = (token: string) => request(t.http).get('/api/auth/me').set('Authorization', `Bearer ${token}`);

    async function openUser(page: Page): Promise<void> {
      await page.goto(`${base}/users?pageSize=200`);
      await Promise.all([page.waitForURL(`${base}/users/${userId}`), page.click(`text=${username}`)]);
    }

    it('disables a user, whose next API request is 401, and enables them again', async () => {
      const token = ((await login(password).expect(200)).body as { accessToken: string }).accessToken;
      await me(token).expect(200);
      const page = await adminPage();
      await page.goto(`${base}/users`);
      await shoot(page, 'users');
      await openUser(page);
      await expect(text(page, '.user-status')).resolves.toBe('启用');
      await shoot(page, 'user');

      await Promise.all([page.waitForURL(/done=disable/), page.click('text=停用账号')]);
      await expect(text(page, '.user-status')).resolves.toBe('停用');
      await me(token).expect(401);
      await login(password).expect(401);

      await Promise.all([page.waitForURL(/done=enable/), page.click('text=启用账号')]);
      await expect(text(page, '.user-status')).resolves.toBe('启用');
      // The old token stays ended; signing in again works.
      await me(token).expect(401);
      const again = ((await login(password).expect(200)).body as { accessToken: string }).accessToken;
      await me(again).expect(200);
    });

    it('resets a password: the page shows the new one once, and it signs in', async () => {
      const page = await adminPage();
      await openUser(page);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/users/${userId}/password-reset`)),
        page.click('text=重置密码'),
      ]);
      expect(response.headers()['cache-control']).toBe('no-store');
      const shown = await text(page, '#new-password');
      expect(shown.length).toBeGreaterThanOrEqual(12);
      await shoot(page, 'user-password-reset');
      await login(password).expect(401);
      await login(shown).expect(200);
      // Shown once: the account's page does not show it again.
      await page.goto(`${base}/users/${userId}`);
      await expect(page.locator('#new-password').count()).resolves.toBe(0);
      await expect(page.content()).resolves.not.toContain(shown);
    });

    it('unlocks a user locked out by failed logins', async () => {
      const page = await adminPage();
      await openUser(page);
      await Promise.all([page.waitForResponse(/password-reset/), page.click('text=重置密码')]);
      const current = await text(page, '#new-password');
      for (let i = 0; i < 5; i++) {
        await login('Wrong-password-1').expect(401);
      }
      await login(current).expect(429);
      await Promise.all([page.waitForURL(/done=unlock/), page.click('text=解除登录锁定')]);
      await expect(text(page, '.alert-success')).resolves.toContain('已解除登录锁定');
      await login(current).expect(200);
    });

    it("changes a user's sub-district, which holds at once; refusals are in Chinese at their field", async () => {
      const reset = await request(t.http)
        .post(`/api/users/${userId}/password-reset`)
        .set('Authorization', admin)
        .expect(200);
      const signedIn = (
        (await login((reset.body as { password: string }).password).expect(200)).body as {
          accessToken: string;
        }
      ).accessToken;
      const page = await adminPage(PHONE);
      await openUser(page);
      await page.selectOption('select[name="regionCode"]', SUBDISTRICT_B);
      await Promise.all([page.waitForURL(/done=edit/), page.click('.edit-user button[type="submit"]')]);
      await expect(text(page, '.user-region')).resolves.toBe('东塬街道');
      expect(await sideways(page)).toBeLessThanOrEqual(0);
      await expect(me(signedIn).expect(200)).resolves.toMatchObject({ body: { regionCode: SUBDISTRICT_B } });

      // Made a caseworker, they keep no sub-district; made an officer again without one: refused at 所属街道.
      await page.selectOption('select[name="role"]', 'health_caseworker');
      await page.selectOption('select[name="regionCode"]', '');
      await Promise.all([page.waitForURL(/done=edit/), page.click('.edit-user button[type="submit"]')]);
      await expect(text(page, '.user-region')).resolves.toBe('—');
      await page.selectOption('select[name="role"]', 'subdistrict_officer');
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith(`/users/${userId}`) && r.request().method() === 'POST'),
        page.click('.edit-user button[type="submit"]'),
      ]);
      expect(refused.status()).toBe(400);
      await expect(text(page, '.edit-user .field-error')).resolves.toBe('街道办事处人员须选择所属街道');
      await expect(page.locator('select[name="role"]').inputValue()).resolves.toBe('subdistrict_officer');
      await expect(text(page, '.user-role')).resolves.toBe('卫健局业务人员');
    });

    it('keeps an admin from disabling or demoting themselves, and a form without its CSRF token is 403', async () => {
      const self = (await request(t.http).get('/api/auth/me').set('Authorization', admin).expect(200)).body as {
        id: number;
      };
      const off = await request(t.http)
        .patch(`/api/users/${self.id}`)
        .set('Authorization', admin)
        .send({ active: false })
        .expect(400);
      expect(off.body).toMatchObject({ field: 'active' });
      await request(t.http)
        .patch(`/api/users/${self.id}`)
        .set('Authorization', admin)
        .send({ role: 'viewer' })
        .expect(400);
      const page = await adminPage();
      await page.goto(`${base}/users/${self.id}`);
      await expect(page.locator('form.toggle-active').count()).resolves.toBe(0);
      await expect(page.locator('select[name="role"]').count()).resolves.toBe(0);

      const agent = await pageLogin(t.http, 'admin', TEST_ADMIN_PASSWORD);
      await agent.post(`/users/${userId}/active`).type('form').send({ active: 'false' }).expect(403);
      const form = await agent.get(`/users/${userId}`).expect(200);
      await agent
        .post(`/users/${userId}/active`)
        .type('form')
        .send({ active: 'maybe', _csrf: csrfOf(form.text) })
        .expect(400);
      const user = (await request(t.http).get('/api/users?pageSize=200').set('Authorization', admin)).body.items.find(
        (u: { id: number }) => u.id === userId,
      );
      expect(user.active).toBe(true);
    });
  });
});
