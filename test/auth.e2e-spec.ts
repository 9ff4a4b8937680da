import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { DEMO_PASSWORD, DEMO_USERS } from '../src/app/demo/demo-loader.service.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';

const ADMIN_PASSWORD = 'Admin-pass-2020';
const RUN = Date.now().toString(36);
let counter = 0;
/** A username no earlier run can have used (the MySQL suite shares one database and Redis). */
const newUsername = (tag: string): string => `${tag}-${RUN}-${counter++}`;

/** The validation messages of an error body, as a list. */
const messagesOf = (body: { message?: string | string[] }): string[] =>
  Array.isArray(body.message) ? body.message : [String(body.message)];

function expectFieldsNamed(res: request.Response, fields: string[]): void {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  const messages = messagesOf(res.body as { message?: string | string[] });
  for (const field of fields) {
    expect(messages.some((m) => new RegExp(`\\b${field}\\b`).test(m))).toBe(true);
  }
}

describe('auth and users', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_PASSWORD });
    admin = await t.login('admin', ADMIN_PASSWORD);
  });

  afterAll(() => t.close());

  const login = (username: string, password: string) =>
    request(t.http).post('/api/auth/login').send({ username, password });

  const createUser = (body: Record<string, unknown>, as = admin) =>
    request(t.http).post('/api/users').set('Authorization', as).send(body);

  describe('POST /api/auth/login', () => {
    const accounts = [
      { username: 'admin', role: 'admin', password: ADMIN_PASSWORD, regionCode: undefined },
      ...DEMO_USERS.map((u) => ({ ...u, password: DEMO_PASSWORD })),
    ];

    it.each(accounts)('logs in $username as $role', async ({ username, role, password, regionCode }) => {
      const res = await login(username, password).expect(200);
      expect(Object.keys(res.body as object).sort()).toEqual(['accessToken', 'user']);
      expect(res.body.accessToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(res.body.user).toEqual({
        id: expect.any(Number),
        username,
        displayName: expect.any(String),
        role,
        regionCode: regionCode ?? null,
        active: true,
      });
      expect(res.body.user).not.toHaveProperty('passwordHash');
    });

    it('answers 401 with the same message for a wrong password and an unknown user', async () => {
      const username = newUsername('pw');
      await createUser({ username, password: 'Right-pass1', role: 'viewer' }).expect(201);
      const wrong = await login(username, 'Wrong-pass1').expect(401);
      const unknown = await login(newUsername('nobody'), 'Wrong-pass1').expect(401);
      expect(wrong.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: expect.any(String),
        code: 'unauthenticated',
      });
      expect(unknown.body).toEqual(wrong.body);
      expect(JSON.stringify(wrong.body)).not.toContain(username);
    });

    it('answers 400 naming each missing or unknown field', async () => {
      expectFieldsNamed(await request(t.http).post('/api/auth/login').send({}), ['username', 'password']);
      expectFieldsNamed(await request(t.http).post('/api/auth/login').send({ username: 'admin' }), ['password']);
      const extra = await request(t.http)
        .post('/api/auth/login')
        .send({ username: 'admin', password: ADMIN_PASSWORD, remember: true });
      expectFieldsNamed(extra, ['remember']);
    });

    it('locks a username out after 5 failures from one address, and only that username', async () => {
      const [victim, bystander] = [newUsername('lock'), newUsername('free')];
      await createUser({ username: victim, password: 'Right-pass1', role: 'viewer' }).expect(201);
      await createUser({ username: bystander, password: 'Right-pass1', role: 'viewer' }).expect(201);
      for (let i = 0; i < 5; i++) {
        await login(victim, 'Wrong-pass1').expect(401);
      }
      const locked = await login(victim, 'Right-pass1').expect(429);
      expect(locked.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      await login(bystander, 'Wrong-pass1').expect(401);
      await login(bystander, 'Right-pass1').expect(200);
    });
  });

  describe('GET /api/auth/me', () => {
    it('returns the caller', async () => {
      const res = await request(t.http).get('/api/auth/me').set('Authorization', admin).expect(200);
      expect(res.body).toEqual({
        id: expect.any(Number),
        username: 'admin',
        displayName: '系统管理员',
        role: 'admin',
        regionCode: null,
      });
    });

    it('refuses a missing, tampered, foreign, expired or unsigned token', async () => {
      const token = admin.slice('Bearer '.length);
      const [header, payload, signature] = token.split('.');
      const i = Math.floor(signature.length / 2);
      const flipped = signature[i] === 'A' ? 'B' : 'A';
      const tampered = `${header}.${payload}.${signature.slice(0, i)}${flipped}${signature.slice(i + 1)}`;
      const me = (await request(t.http).get('/api/auth/me').set('Authorization', admin)).body as { id: number };
      const claims = { sub: me.id, role: 'admin' };
      const own = new JwtService({ secret: t.config.JWT_SECRET });
      const foreign = await new JwtService({ secret: 'another-secret-of-16+chars' }).signAsync(claims);
      const expired = await own.signAsync(claims, { expiresIn: -10 });
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;

      // The way the test signs tokens is sound: a fresh one with the app's secret is accepted.
      const valid = await own.signAsync(claims, { expiresIn: 60 });
      await request(t.http).get('/api/auth/me').set('Authorization', `Bearer ${valid}`).expect(200);

      const missing = await request(t.http).get('/api/auth/me').expect(401);
      expect(missing.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
      await request(t.http).get('/api/auth/me').set('Authorization', token).expect(401); // no "Bearer"
      for (const bad of [tampered, foreign, expired, unsigned]) {
        const res = await request(t.http).get('/api/auth/me').set('Authorization', `Bearer ${bad}`);
        expect(res.status).toBe(401);
        expect(res.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      }
    });
  });

  describe('/api/users', () => {
    it('admin creates a user who can then log in, and lists users', async () => {
      const username = newUsername('cw');
      const res = await createUser({ username, password: 'Case-work3r', role: 'health_caseworker' }).expect(201);
      expect(res.body).toEqual({
        id: expect.any(Number),
        username,
        displayName: username,
        role: 'health_caseworker',
        regionCode: null,
        active: true,
      });
      expect(JSON.stringify(res.body)).not.toMatch(/password|Case-work3r/i);
      const me = await request(t.http)
        .get('/api/auth/me')
        .set('Authorization', await t.login(username, 'Case-work3r'))
        .expect(200);
      expect(me.body).toMatchObject({ username, role: 'health_caseworker' });

      const list = await request(t.http).get('/api/users').set('Authorization', admin).expect(200);
      expect(list.body).toEqual({ items: expect.any(Array), total: expect.any(Number), page: 1, pageSize: 20 });
      expect(list.body.total).toBeGreaterThanOrEqual(DEMO_USERS.length + 2);
      const all = await request(t.http).get('/api/users?pageSize=200').set('Authorization', admin).expect(200);
      const names = (all.body.items as { username: string }[]).map((u) => u.username);
      expect(names).toEqual(expect.arrayContaining(['admin', 'caseworker', 'officer5', username]));
      expect(JSON.stringify(all.body)).not.toContain('passwordHash');
    });

    it.each(['caseworker', 'officer1', 'leader', 'insurance'])('refuses %s with 403', async (who) => {
      const token = await t.login(who);
      await request(t.http).get('/api/users').set('Authorization', token).expect(403);
      const body = { username: newUsername('no'), password: 'Some-pass1', role: 'viewer' };
      const res = await createUser(body, token).expect(403);
      expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
      await login(body.username, body.password).expect(401);
    });

    it('validates the new user', async () => {
      const base = { username: newUsername('v'), password: 'Good-pass1', role: 'viewer' };
      expectFieldsNamed(await createUser({ ...base, password: 'Ab1' }), ['password']);
      expectFieldsNamed(await createUser({ ...base, password: 'no-digits-here' }), ['password']);
      const officer = { ...base, role: 'subdistrict_officer' };
      expectFieldsNamed(await createUser(officer), ['regionCode']);
      expectFieldsNamed(await createUser({ ...officer, regionCode: '610199002001' }), ['regionCode']);
      expectFieldsNamed(await createUser({ ...officer, regionCode: '610199009000' }), ['regionCode']);
      expectFieldsNamed(await createUser({ ...base, regionCode: '610199002000' }), ['regionCode']);
      expectFieldsNamed(await createUser({ ...base, role: 'root' }), ['role']);
      expectFieldsNamed(await createUser({ ...base, isAdmin: true }), ['isAdmin']);
      await login(base.username, base.password).expect(401); // none of them was created

      await createUser(base).expect(201);
      const dup = await createUser({ ...base, password: 'Other-pass2' }).expect(409);
      expect(dup.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
      await t.login(base.username, 'Good-pass1'); // the first one still holds

      const page = await request(t.http).get('/api/users?pageSize=201').set('Authorization', admin);
      expectFieldsNamed(page, ['pageSize']);
    });

    it('a sub-district officer logs in with their regionCode', async () => {
      const username = newUsername('off');
      const body = { username, password: 'Officer-2020', role: 'subdistrict_officer', regionCode: '610199002000' };
      const res = await createUser(body).expect(201);
      expect(res.body).toMatchObject({ role: 'subdistrict_officer', regionCode: '610199002000' });
      const me = await request(t.http)
        .get('/api/auth/me')
        .set('Authorization', await t.login(username, 'Officer-2020'))
        .expect(200);
      // No display name given: the ledger and the pages show the username.
      expect(me.body).toEqual({
        id: res.body.id,
        username,
        displayName: username,
        role: 'subdistrict_officer',
        regionCode: '610199002000',
      });
    });
  });
});
