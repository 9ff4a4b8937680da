import { existsSync, mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase, freePort, MAIN, start, waitFor, waitForOutput } from './utils/spawn-app.js';

describe('starting the built service', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) {
      throw new Error('dist/ is missing: the test command builds before it tests (npm test)');
    }
  });

  it('on an empty database: migrates, creates admin with a printed password, loads the demo district, serves', async () => {
    const port = await freePort();
    const dbName = `${process.env.DB_NAME ?? 'hpa_test'}_start`;
    const run = start({
      PORT: String(port),
      DB_PATH: join(mkdtempSync(join(tmpdir(), 'hpa-start-')), 'hpa.sqlite'),
      DB_NAME: dbName,
      LOG_FORMAT: 'json',
    });
    try {
      await waitForOutput(run, /listening on/);
      const health = await fetch(`http://127.0.0.1:${port}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', database: 'up' });

      const password = /shown only this once: (\S+?)"/.exec(run.output())?.[1];
      expect(password).toBeDefined();
      const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      expect(login.status).toBe(200);
      const { accessToken } = (await login.json()) as { accessToken: string };

      // A search by a full ID number is logged with the number masked.
      const demoId = '610199';
      const search = await fetch(`http://127.0.0.1:${port}/api/households?q=110101199003074477`, {
        headers: { authorization: `Bearer ${accessToken}` },
      });
      expect(search.status).toBe(200);
      await waitForOutput(run, /110101\*{8}4477/);
      // …also when a percent-escape stands before it or spells it out (issue #12).
      const spelled = [...'110101199003074477'].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
      for (const q of ['%20110101199003074477', spelled]) {
        await fetch(`http://127.0.0.1:${port}/api/households?q=${q}`, {
          headers: { authorization: `Bearer ${accessToken}` },
        });
      }
      await waitFor('the three searches logged, masked', () =>
        Promise.resolve(run.output().match(/110101\*{8}4477/g)?.length === 3),
      );
      expect(run.output()).not.toContain('110101199003074477');
      expect(run.output()).not.toContain(spelled.slice(18, 42)); // the birth date's digits, escaped
      expect(run.output()).not.toMatch(new RegExp(`${demoId}\\d{11}[\\dX]`));
      // Structured logs: one JSON object a line.
      const lines = run.output().trim().split('\n');
      expect(lines.every((line) => line.startsWith('{'))).toBe(true);
      expect(run.output()).toMatch(/loaded the demo district: 399 households/);
      // The demo accounts are announced loudly; on 127.0.0.1 the start goes on.
      expect(run.output()).toMatch(/DEMO ACCOUNTS ARE OPEN: caseworker, .*Demo2020/);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
      await dropDatabase(dbName);
    }
  });

  it('drains an in-flight request on SIGTERM, then exits', async () => {
    const port = await freePort();
    const run = start({
      PORT: String(port),
      DB_PATH: join(mkdtempSync(join(tmpdir(), 'hpa-drain-')), 'hpa.sqlite'),
      DB_NAME: `${process.env.DB_NAME ?? 'hpa_test'}_drain`,
      ADMIN_PASSWORD: 'Admin-pass-2020',
    });
    try {
      await waitForOutput(run, /listening on/);
      // A login whose body arrives slowly: the request is in flight when SIGTERM comes.
      const body = JSON.stringify({ username: 'admin', password: 'Admin-pass-2020' });
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            path: '/api/auth/login',
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', reject);
        req.write(body.slice(0, 10));
        setTimeout(() => {
          run.child.kill('SIGTERM');
          setTimeout(() => req.end(body.slice(10)), 500);
        }, 200);
      });
      const res = await answer;
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toHaveProperty('accessToken');
      await run.exited;
      expect(run.child.exitCode === 0 || run.child.signalCode === 'SIGTERM').toBe(true);
      await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
    } finally {
      run.child.kill('SIGKILL');
      await dropDatabase(`${process.env.DB_NAME ?? 'hpa_test'}_drain`);
    }
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ DB_TYPE: 'oracle' }, /DB_TYPE/],
    [{ APP_TIMEZONE: 'Mars/Olympus' }, /APP_TIMEZONE/],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }, /ADMIN_PASSWORD/],
    [{ NODE_ENV: 'production', ADMIN_PASSWORD: 'Admin-pass-2020' }, /JWT_SECRET/],
    [{ HOST: '0.0.0.0' }, /JWT_SECRET: must be set when HOST/],
  ])('refuses to start with %o, naming the variable', async (env, name) => {
    const run = start(env);
    await expect(run.exited).resolves.toBe(1);
    expect(run.output()).toMatch(/Invalid configuration/);
    expect(run.output()).toMatch(name);
  });

  it('refuses to serve on an address other machines reach while demo accounts take the published password', async () => {
    const dbName = `${process.env.DB_NAME ?? 'hpa_test'}_exposed`;
    const dataDir = mkdtempSync(join(tmpdir(), 'hpa-exposed-'));
    const env = {
      PORT: String(await freePort()),
      HOST: '0.0.0.0',
      JWT_SECRET: 'a-secret-of-our-own-0123456789',
      ADMIN_PASSWORD: 'Admin-pass-2020',
      DB_PATH: join(dataDir, 'hpa.sqlite'),
      DB_NAME: dbName,
    };
    try {
      const demo = start(env);
      await expect(demo.exited).resolves.toBe(1);
      expect(demo.output()).toMatch(/Refusing to serve on HOST=0\.0\.0\.0/);
      expect(demo.output()).toMatch(/DEMO_DATA: demo accounts with the published password are active/);
      expect(demo.output()).not.toMatch(/listening on/);

      // Without demo accounts (a database that never had them) the same address serves.
      const clean = start({
        ...env,
        DB_PATH: join(dataDir, 'clean.sqlite'),
        DB_NAME: `${dbName}_clean`,
        DEMO_DATA: '0',
      });
      try {
        await waitForOutput(clean, /listening on http:\/\/0\.0\.0\.0/);
        expect((await fetch(`http://127.0.0.1:${env.PORT}/api/health`)).status).toBe(200);
      } finally {
        clean.child.kill('SIGTERM');
        await clean.exited;
      }
    } finally {
      await dropDatabase(dbName);
      await dropDatabase(`${dbName}_clean`);
    }
  });
});
