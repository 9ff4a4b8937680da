import { JwtService } from '@nestjs/jwt';
import { statSync } from 'node:fs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ACCOUNT_FAILURES, PAIR_FAILURES } from '../src/auth/login-throttle.service.js';
import { HASH_CONCURRENCY, PasswordGate } from '../src/auth/password-gate.js';
import { User } from '../src/auth/user.entity.js';
import { PUBLISHED_JWT_SECRET } from '../src/config/app-config.js';
import { secretFileOf } from '../src/config/jwt-secret.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { csrfOf, pageLogin } from './utils/pages.js';

/**
 * Issue #12's login and session findings. The app believes X-Forwarded-For from 127.0.0.1 (the
 * default TRUST_PROXY=loopback: a proxy on this host), so each test plays clients of its own
 * addresses; the run's random middle octets keep reruns on a shared Redis apart.
 */
const RUN = Date.now().toString(36);
const NET = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
let hosts = 0;
const newAddress = (): string => `${NET}.${++hosts}`;
const ADDRESS_ALLOWANCE = 12;
const PASSWORD = 'Probe-pass-2020';

/** The same text in full-width letters and digits (ｓｅｃｐｒｏｂｅ). */
const fullWidth = (text: string): string =>
  [...text].map((c) => (/[!-~]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('');

describe('login hardening (issue #12)', () => {
  let t: TestApp;
  let admin: string;
  let gate: PasswordGate;

  beforeAll(async () => {
    // Counters of its own in a shared Redis: the suite's other apps signed in from 127.0.0.1 already.
    t = await createTestApp({
      LOGIN_ATTEMPTS_PER_MINUTE: String(ADDRESS_ALLOWANCE),
      QUEUE_PREFIX: `hpa-test-${process.pid}-login-${RUN}`,
    });
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    gate = t.app.get(PasswordGate);
  });

  afterAll(() => t.close());

  const login = (username: string, password: string, from: string) =>
    request(t.http).post('/api/auth/login').set('X-Forwarded-For', from).send({ username, password });
  const newUser = async (tag: string, password = PASSWORD) => {
    const username = `${tag}${RUN}`;
    const res = await request(t.http)
      .post('/api/users')
      .set('Authorization', admin)
      .send({ username, password, role: 'viewer' })
      .expect(201);
    return { username, id: (res.body as { id: number }).id };
  };
  const me = (bearer: string) => request(t.http).get('/api/auth/me').set('Authorization', bearer);

  it('compares usernames exactly: spellings MySQL’s unicode_ci would match find no account and share no counter', async () => {
    const { username } = await newUser('secprobe');
    const variants = [`${username} `, username.replace('e', 'é'), fullWidth(username)];
    // The collation itself (this is what fails on MariaDB before the migration).
    const users = t.app.get(DataSource).getRepository(User);
    for (const variant of variants) {
      expect(await users.findOneBy({ username: variant })).toBeNull();
    }
    const from = newAddress();
    for (let i = 0; i < PAIR_FAILURES; i++) {
      await login(username, 'Wrong-pass-1', from).expect(401);
    }
    await login(username, PASSWORD, from).expect(429);
    for (const variant of variants) {
      const res = await login(variant, PASSWORD, from);
      expect(res.status).toBe(401);
    }
    // Upper case is the same account (stored lower case), so the same lock.
    await login(username.toUpperCase(), PASSWORD, from).expect(429);
    // The lock is this address's: from another the account may still sign in.
    await login(username, PASSWORD, newAddress()).expect(200);
  });

  it('locks the account after enough failures from any number of addresses', async () => {
    const { username } = await newUser('spread');
    for (let i = 0; i < ACCOUNT_FAILURES; i++) {
      await login(username, 'Wrong-pass-1', newAddress()).expect(401);
    }
    const locked = await login(username, PASSWORD, newAddress()).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.body).toMatchObject({
      statusCode: 429,
      code: 'rate_limited',
      message: expect.stringMatching(/锁定/),
    });
  });

  it('refuses a name that breaks the username rule before any look-up or hash', async () => {
    const before = gate.compared;
    for (const name of ['ｓｅｃｐｒｏｂｅ', 'secprobe ', 'sécprobe', 'a\nforged log line', 'x'.repeat(40)]) {
      const res = await login(name, PASSWORD, newAddress()).expect(401);
      expect(res.body).toMatchObject({ code: 'unauthenticated', message: '用户名或密码错误' });
    }
    expect(gate.compared).toBe(before);
  });

  it('throttles a client address before any password is compared', async () => {
    const from = newAddress();
    for (let i = 0; i < ADDRESS_ALLOWANCE; i++) {
      await login(`nobody${RUN}${i}`, 'Wrong-pass-1', from).expect(401);
    }
    const compared = gate.compared;
    const refused = await login(`nobody${RUN}x`, 'Wrong-pass-1', from).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await login('admin', TEST_ADMIN_PASSWORD, from).expect(429);
    expect(gate.compared).toBe(compared);
    await login('admin', TEST_ADMIN_PASSWORD, newAddress()).expect(200);
  });

  it('compares at most a few passwords at once; a flood is refused, never a 5xx', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(`flood${RUN}${i}`, 'Wrong-pass-1', newAddress())),
    );
    expect(answers.every((res) => res.status === 401 || res.status === 429)).toBe(true);
    expect(gate.peak).toBeGreaterThan(0);
    expect(gate.peak).toBeLessThanOrEqual(HASH_CONCURRENCY);
  });

  it('keys throttling on the address the trusted proxy saw, not on what the client wrote before it', async () => {
    const { username } = await newUser('xff');
    const client = newAddress();
    for (let i = 0; i < PAIR_FAILURES; i++) {
      await login(username, 'Wrong-pass-1', `203.0.113.${i}, ${client}`).expect(401);
    }
    await login(username, PASSWORD, `198.51.100.7, ${client}`).expect(429);
  });

  it('refuses a token signed with the secret earlier versions published', async () => {
    const { id } = (await me(admin).expect(200)).body as { id: number };
    const forged = await new JwtService({ secret: PUBLISHED_JWT_SECRET }).signAsync({ sub: id, role: 'admin' });
    await me(`Bearer ${forged}`).expect(401);
    await request(t.http).get('/api/users').set('Authorization', `Bearer ${forged}`).expect(401);
  });

  it('signs with a secret generated for the data directory, kept in a file only its owner reads', () => {
    if (!t.config.jwtSecretGenerated) {
      return; // the environment configured JWT_SECRET
    }
    const file = secretFileOf(t.config)!;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(t.config.JWT_SECRET).not.toBe(PUBLISHED_JWT_SECRET);
    expect(t.config.JWT_SECRET.length).toBeGreaterThanOrEqual(32);
  });

  it('POST /api/auth/logout ends every token of the user at once', async () => {
    const { username } = await newUser('leave');
    const first = `Bearer ${(await login(username, PASSWORD, newAddress()).expect(200)).body.accessToken}`;
    const second = `Bearer ${(await login(username, PASSWORD, newAddress()).expect(200)).body.accessToken}`;
    await request(t.http).post('/api/auth/logout').set('Authorization', first).expect(204);
    await me(first).expect(401);
    const gone = await me(second).expect(401);
    expect(gone.body).toMatchObject({ statusCode: 401, message: expect.stringMatching(/注销|过期/) });
    await request(t.http).post('/api/auth/logout').expect(401);
    const again = `Bearer ${(await login(username, PASSWORD, newAddress()).expect(200)).body.accessToken}`;
    await me(again).expect(200);
  });

  it('signing out of the pages ends the session’s token too', async () => {
    const { username } = await newUser('pageout');
    const agent = await pageLogin(t.http, username, PASSWORD);
    const home = await agent.get('/').expect(200);
    const cookie = (home.request as unknown as { cookies: string }).cookies;
    const token = /hpa_session=([^;]+)/.exec(cookie)?.[1];
    expect(token).toBeDefined();
    await me(`Bearer ${token}`).expect(200);
    await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfOf(home.text) })
      .expect(303);
    await me(`Bearer ${token}`).expect(401);
    await request(t.http).get('/items').set('Cookie', `hpa_session=${token}`).expect(303);
  });

  it('disabling a user ends their tokens at once, and enabling them again does not revive old ones', async () => {
    const { username, id } = await newUser('gone');
    const token = `Bearer ${(await login(username, PASSWORD, newAddress()).expect(200)).body.accessToken}`;
    const off = await request(t.http).patch(`/api/users/${id}`).set('Authorization', admin).send({ active: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ id, active: false });
    await me(token).expect(401);
    await login(username, PASSWORD, newAddress()).expect(401);
    await request(t.http).patch(`/api/users/${id}`).set('Authorization', admin).send({ active: true }).expect(200);
    await me(token).expect(401);
    await login(username, PASSWORD, newAddress()).expect(200);

    const self = (await me(admin).expect(200)).body as { id: number };
    const refused = await request(t.http)
      .patch(`/api/users/${self.id}`)
      .set('Authorization', admin)
      .send({ active: false })
      .expect(400);
    expect(refused.body).toMatchObject({ field: 'active' });
    await request(t.http).patch(`/api/users/${id}`).set('Authorization', admin).send({ active: 'no' }).expect(400);
    await request(t.http).patch('/api/users/99999999').set('Authorization', admin).send({ active: false }).expect(404);
  });

  it.each([
    ['password1', /10/],
    ['password123', /常见/],
    ['Qwerty123456', /常见/],
    ['onlyletters-here', /字母和数字/],
    ['9'.repeat(80), /10–72/],
  ])('refuses the new password %s, naming the field and the rule', async (password, rule) => {
    const res = await request(t.http)
      .post('/api/users')
      .set('Authorization', admin)
      .send({ username: `weak${RUN}${Math.floor(Math.random() * 1e6)}`, password, role: 'viewer' })
      .expect(400);
    const messages = (res.body.message as string[]).join('\n');
    expect(messages).toMatch(/\bpassword\b/);
    expect(messages).toMatch(rule);
  });

  it('refuses a password that is little more than the username', async () => {
    const username = `keeper${RUN}`;
    const res = await request(t.http)
      .post('/api/users')
      .set('Authorization', admin)
      .send({ username, password: `${username}-2020`, role: 'viewer' })
      .expect(400);
    expect((res.body.message as string[]).join('\n')).toMatch(/password.*用户名/);
  });
});
