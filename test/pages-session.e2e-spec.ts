import request from 'supertest';
import { DataSource } from 'typeorm';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { type CampaignBody, newCampaign, newItem } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { csrfOf, pageLogin } from './utils/pages.js';

/** The Set-Cookie header of a response as one list. */
const setCookies = (res: request.Response): string[] => {
  const header = res.headers['set-cookie'] as string[] | string | undefined;
  return header === undefined ? [] : Array.isArray(header) ? header : [header];
};
const cookieNamed = (res: request.Response, name: string) => setCookies(res).find((c) => c.startsWith(`${name}=`));

describe('pages: session, CSRF, redirects and navigation', () => {
  let t: TestApp;
  let db: DataSource;
  let campaign: CampaignBody;
  let itemId: number;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    campaign = await newCampaign(t, admin);
    itemId = (await newItem(t, admin, campaign.id)).id;
  });

  afterAll(() => t.close());

  describe('a visitor', () => {
    it('gets the login form on / with a CSRF token, a visitor cookie and a strict CSP', async () => {
      const res = await request(t.http).get('/').expect(200).expect('content-type', /html/);
      expect(res.text).toContain('name="username"');
      expect(res.text).toContain('name="password"');
      expect(csrfOf(res.text)).toMatch(/^[0-9a-f]+\.[0-9a-f]+$/);
      expect(cookieNamed(res, 'hpa_visitor')).toMatch(/HttpOnly/i);
      expect(cookieNamed(res, 'hpa_csrf')).toMatch(/SameSite=Strict/i);
      const csp = res.headers['content-security-policy'];
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(res.text).not.toContain('style=');
    });

    it('is sent to the login form from any page, with the way back', async () => {
      const res = await request(t.http).get(`/items/${itemId}?x=1`).expect(303);
      expect(res.headers.location).toBe(`/?next=${encodeURIComponent(`/items/${itemId}?x=1`)}`);
      const login = await request(t.http).get(res.headers.location).expect(200);
      expect(login.text).toContain('请先登录');
      // Handlebars escapes '=' too (&#x3D;).
      expect(login.text).toContain(`value="/items/${itemId}?x&#x3D;1"`);
      await request(t.http).get('/households').expect(303).expect('location', '/?next=%2Fhouseholds');
    });

    it('is refused a form without a CSRF token before anything else (403 page)', async () => {
      const agent = request.agent(t.http);
      await agent.get('/').expect(200);
      const res = await agent.post('/login').type('form').send({ username: 'officer1', password: 'Demo2020' });
      expect(res.status).toBe(403);
      expect(res.text).toContain('安全校验码');
      expect(cookieNamed(res, 'hpa_session')).toBeUndefined();
    });

    it('keeps the username and says why when the password is wrong', async () => {
      const agent = request.agent(t.http);
      const form = await agent.get('/').expect(200);
      const res = await agent
        .post('/login')
        .type('form')
        .send({ username: 'officer1', password: 'wrong-password', _csrf: csrfOf(form.text) })
        .expect(401);
      expect(res.text).toContain('用户名或密码错误');
      expect(res.text).toContain('value="officer1"');
      expect(cookieNamed(res, 'hpa_session')).toBeUndefined();
    });

    it('gets JSON from the API and the Chinese 404 page for a page that does not exist', async () => {
      const api = await request(t.http).get('/api/items').expect(401);
      expect(api.body).toMatchObject({ statusCode: 401 });
      const missing = await request(t.http).get('/no-such-page').expect(404).expect('content-type', /html/);
      expect(missing.text).toContain('页面不存在');
    });
  });

  describe('signing in and out', () => {
    it('sets an httpOnly SameSite=Lax session cookie holding a working token, Secure behind HTTPS', async () => {
      const agent = request.agent(t.http);
      const form = await agent.get('/').expect(200);
      const res = await agent
        .post('/login')
        .type('form')
        .send({ username: 'officer1', password: 'Demo2020', _csrf: csrfOf(form.text), next: `/items/${itemId}` })
        .expect(303);
      expect(res.headers.location).toBe(`/items/${itemId}`);
      const cookie = cookieNamed(res, 'hpa_session')!;
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      expect(cookie).not.toMatch(/Secure/i);
      const token = /^hpa_session=([^;]+)/.exec(cookie)![1];
      await request(t.http).get('/api/auth/me').set('Authorization', `Bearer ${token}`).expect(200);

      // Behind a TLS-terminating proxy on the same host (TRUST_PROXY=loopback) the cookies are Secure
      // (so the test hands them back itself: supertest keeps Secure cookies for HTTPS only).
      const form2 = await request(t.http).get('/').set('X-Forwarded-Proto', 'https').expect(200);
      expect(cookieNamed(form2, 'hpa_csrf')).toMatch(/Secure/i);
      const cookies = setCookies(form2)
        .map((c) => c.split(';')[0])
        .join('; ');
      const res2 = await request(t.http)
        .post('/login')
        .set('X-Forwarded-Proto', 'https')
        .set('Cookie', cookies)
        .type('form')
        .send({ username: 'officer1', password: 'Demo2020', _csrf: csrfOf(form2.text) })
        .expect(303);
      expect(cookieNamed(res2, 'hpa_session')).toMatch(/Secure/i);
    });

    it('goes back only to a path of this site', async () => {
      for (const next of ['//evil.example/', '/\\evil.example', 'https://evil.example/']) {
        const agent = request.agent(t.http);
        const form = await agent.get('/').expect(200);
        const res = await agent
          .post('/login')
          .type('form')
          .send({ username: 'caseworker', password: 'Demo2020', _csrf: csrfOf(form.text), next })
          .expect(303);
        expect(res.headers.location).toBe('/');
      }
    });

    it('shows the dashboard on / once signed in, and signs out with the CSRF token only', async () => {
      const agent = await pageLogin(t.http, 'officer1');
      const home = await agent.get('/').expect(200);
      expect(home.text).toContain('<h1>工作台</h1>');
      expect(home.headers['cache-control']).toBe('no-store');
      expect(home.text).toContain('城关街道 王专干');
      await agent.post('/logout').type('form').send({}).expect(403);
      await agent.get('/items').expect(200);

      const out = await agent
        .post('/logout')
        .type('form')
        .send({ _csrf: csrfOf(home.text) })
        .expect(303);
      expect(out.headers.location).toBe('/');
      expect(cookieNamed(out, 'hpa_session')).toMatch(/hpa_session=;/);
      await agent.get('/items').expect(303);
      const again = await agent.get('/').expect(200);
      expect(again.text).toContain('name="password"');
    });

    it('treats a session cookie that is no longer valid as no session, and clears it', async () => {
      const res = await request(t.http).get('/').set('Cookie', 'hpa_session=not-a-token').expect(200);
      expect(res.text).toContain('name="password"');
      expect(cookieNamed(res, 'hpa_session')).toMatch(/hpa_session=;/);
      const page = await request(t.http).get('/items').set('Cookie', 'hpa_session=not-a-token').expect(303);
      expect(page.headers.location).toBe('/?next=%2Fitems');
    });
  });

  describe('CSRF on page forms', () => {
    it('refuses a form posted without the token, or with a token of another session: 403, nothing written', async () => {
      const agent = await pageLogin(t.http, 'officer1');
      const before = await db.getRepository(LedgerEntry).countBy({ itemId });

      const none = await agent.post(`/items/${itemId}/progress`).type('form').send({ note: '无令牌提交' });
      expect(none.status).toBe(403);
      expect(none.text).toContain('403');
      expect(none.text).toContain('安全校验码');

      const visitorPage = await request(t.http).get('/').expect(200);
      const foreign = await agent
        .post(`/items/${itemId}/progress`)
        .type('form')
        .send({ note: '他人令牌', _csrf: csrfOf(visitorPage.text) });
      expect(foreign.status).toBe(403);
      expect(await db.getRepository(LedgerEntry).countBy({ itemId })).toBe(before);

      const page = await agent.get(`/items/${itemId}`).expect(200);
      await agent
        .post(`/items/${itemId}/progress`)
        .type('form')
        .send({ note: '带令牌提交', _csrf: csrfOf(page.text) })
        .expect(303);
      expect(await db.getRepository(LedgerEntry).countBy({ itemId })).toBe(before + 1);
    });

    it('lets the session cookie read the API (the export links) but never write to it', async () => {
      const agent = await pageLogin(t.http, 'officer1');
      const csv = await agent.get(`/api/items/export?format=csv&campaignId=${campaign.id}`).expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      await agent.post(`/api/items/${itemId}/start`).send({}).expect(401);
    });
  });

  describe('item forms by role', () => {
    const formsOf = (html: string) =>
      [...html.matchAll(/<form method="post" action="\/items\/\d+\/(\w+)"/g)].map((m) => m[1]).sort();

    it('offers each role the actions it may take, and reopens a closed item for a caseworker', async () => {
      const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
      const item = await newItem(t, admin, campaign.id);
      const officer = await pageLogin(t.http, 'officer1');
      const caseworker = await pageLogin(t.http, 'caseworker');
      const leader = await pageLogin(t.http, 'leader');
      const insurance = await pageLogin(t.http, 'insurance');

      expect(formsOf((await officer.get(`/items/${item.id}`).expect(200)).text)).toEqual([
        'assignee',
        'attachments',
        'close',
        'comments',
        'progress',
        'start',
      ]);
      // 批注 is for whoever reads the item (issue 15): the leadership's only form.
      expect(formsOf((await leader.get(`/items/${item.id}`).expect(200)).text)).toEqual(['comments']);
      // A health item: insurance staff read it (and comment) but act on insurance items only.
      expect(formsOf((await insurance.get(`/items/${item.id}`).expect(200)).text)).toEqual(['comments']);

      const page = await officer.get(`/items/${item.id}`).expect(200);
      const short = await officer
        .post(`/items/${item.id}/close`)
        .type('form')
        .send({ _csrf: csrfOf(page.text), resolution: '好了', version: '1' })
        .expect(400);
      expect(short.text).toContain('整改情况至少需要 4 个字');
      expect(short.text).toContain('>好了</textarea>');
      await officer
        .post(`/items/${item.id}/close`)
        .type('form')
        .send({ _csrf: csrfOf(page.text), resolution: '已全部整改到位', version: '1' })
        .expect(303)
        .expect('location', `/items/${item.id}?done=close`);
      // Closing again from the stale page: refused with a message, the typed text kept for copying.
      const twice = await officer
        .post(`/items/${item.id}/close`)
        .type('form')
        .send({ _csrf: csrfOf(page.text), resolution: '再次销号的说明', version: '1' })
        .expect(409);
      expect(twice.text).toContain('当前的状态不允许此操作');
      expect(twice.text).toContain('再次销号的说明');

      expect(formsOf((await officer.get(`/items/${item.id}`).expect(200)).text)).toEqual(['comments']);
      const closed = await caseworker.get(`/items/${item.id}`).expect(200);
      expect(formsOf(closed.text)).toEqual(['comments', 'reopen']);
      await officer
        .post(`/items/${item.id}/reopen`)
        .type('form')
        .send({ _csrf: csrfOf(page.text), reason: '复查未通过' })
        .expect(403);
      await caseworker
        .post(`/items/${item.id}/reopen`)
        .type('form')
        .send({ _csrf: csrfOf(closed.text), reason: '复查未通过', version: '2' })
        .expect(303);
      const reopened = await caseworker.get(`/items/${item.id}?done=reopen`).expect(200);
      expect(reopened.text).toContain('已重新打开');
      expect(reopened.text).toContain('复查未通过');
      expect(await db.getRepository(LedgerEntry).countBy({ itemId: item.id })).toBe(3);
    });
  });

  describe('navigation by role', () => {
    const navOf = (html: string) => /<nav class="nav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';

    it('shows 用户 to an admin only, 贫困户 to record readers only', async () => {
      const admin = navOf((await (await pageLogin(t.http, 'admin', TEST_ADMIN_PASSWORD)).get('/').expect(200)).text);
      expect(admin).toContain('href="/users"');
      expect(admin).toContain('>用户<');
      for (const label of ['工作台', '贫困户', '整改台账', '工作简报']) {
        expect(admin).toContain(`>${label}<`);
      }

      const officer = navOf((await (await pageLogin(t.http, 'officer1')).get('/').expect(200)).text);
      expect(officer).toContain('>整改台账<');
      expect(officer).toContain('>贫困户<');
      expect(officer).not.toContain('>用户<');

      // 待审核 (issue 15) for the roles that review 销号: not for officers or the leadership.
      expect(admin).toContain('href="/items/review"');
      expect(officer).not.toContain('>待审核<');
      const caseworker = navOf((await (await pageLogin(t.http, 'caseworker')).get('/items/review').expect(200)).text);
      expect(caseworker).toMatch(/<a href="\/items\/review" class="active" aria-current="page">待审核</);
      expect(caseworker).toMatch(/<a href="\/items"\s*>整改台账</);

      const leader = navOf((await (await pageLogin(t.http, 'leader')).get('/').expect(200)).text);
      expect(leader).not.toContain('>待审核<');
      expect(leader).toContain('>工作简报<');
      expect(leader).not.toContain('>贫困户<');
      expect(leader).not.toContain('>用户<');
    });

    it('answers a page the role may not open with the Chinese 403 page', async () => {
      const officer = await pageLogin(t.http, 'officer1');
      const res = await officer.get('/users').expect(403);
      expect(res.headers['content-type']).toMatch(/html/);
      expect(res.text).toContain('无权访问');
      const leader = await pageLogin(t.http, 'leader');
      await leader.get('/households').expect(403);
      const missing = await officer.get('/no-such-page').expect(404);
      expect(missing.text).toContain('页面不存在');
    });
  });
});
