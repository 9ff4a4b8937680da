import request from 'supertest';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { csrfOf, type PageAgent, pageLogin } from './utils/pages.js';
import { type RouteInputs, routeInputs } from './utils/route-inputs.js';

/**
 * Hostile input against every route the app serves (issue #12), walked from the app's own route
 * table: oversized strings, control characters, look-alike and invisible Unicode, number formats
 * (1e20, -0, NaN, hex, 2^53 + 1), wrong types and deep nesting, put into every field a route's DTO
 * declares (forms and free-form queries get the fields pages read), into its query and into its
 * path parameters. Nothing may answer 5xx, and a 400 from the API names what it refused.
 * One app, as admin (every permission, so that validation is what answers), on records that do
 * not exist, so that whatever is accepted changes nothing that matters.
 */
const TEXTS: [string, string][] = [
  ['oversized', '长'.repeat(20_000)],
  ['control characters', 'a\u0000b\u0007c\r\nd\u001b[31m\u2028'],
  ['full-width look-alikes', 'ａｄｍｉｎ６１０１９９００１０００'],
  ['Cyrillic look-alikes', 'аdmіn'],
  ['zero-width', '\u200b\u200b\u200b\u200b'],
  ['bidi override', '\u202eoperator\u202c'],
  ['1e20', '1e20'],
  ['-0', '-0'],
  ['NaN', 'NaN'],
  ['hex', '0x10'],
  ['2^53 + 1', '9007199254740993'],
];
/** The values also tried in each field on its own (the number formats a parser may read, and control characters). */
const ONE_BY_ONE = new Set(['control characters', '1e20', 'NaN', 'hex', '2^53 + 1']);
/** Of the pages' hand-read fields, those tried one by one: the numbers. */
const NUMERIC_FORM_FIELDS = new Set(['page', 'pageSize', 'campaignId', 'version']);
/** What only JSON can carry, written as raw JSON so that the parser sees exactly this text. */
const JSON_ONLY: [string, string][] = [
  ['number 1e20', '1e20'],
  ['number -0', '-0'],
  ['number 2^53 + 1', '9007199254740993'],
  ['number 1e308', '1e308'],
  ['array', '["x",["y"]]'],
  ['object', '{"$gt":""}'],
  ['null', 'null'],
  ['nested 40 deep', `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`],
];
const PATH_VALUES = ['1e20', '-0', 'NaN', '0x10', '9007199254740993', '%E2%80%8B', '%EF%BC%91%EF%BC%92', '%00'];
/** Fields the pages read from their forms and queries by hand (readForm / readQuery). */
const FORM_FIELDS = ['username', 'password', 'next', 'note', 'resolution', 'reason', 'version', 'kinds', 'campaignId'];
const PAGE_QUERY = ['page', 'pageSize', 'q', 'status', 'regionCode', 'campaignId', 'overdue', 'next', 'kind', 'format'];

/** Signing out ends the admin's tokens: walked last, on their own. */
const SIGN_OUT = ['POST /api/auth/logout', 'POST /logout'];

const isApi = (path: string) => path.startsWith('/api/');
const concrete = (path: string, value = '999999') =>
  path.replace(/:(\w+)/g, (_m, name: string) => (name === 'year' ? '2020' : value));
const quoted = (text: string) => JSON.stringify(text);

const bare = (method: string, path: string): RouteInputs => ({
  route: `${method} ${path}`,
  method,
  path,
  body: [],
  query: [],
  freeBody: true,
  freeQuery: false,
});
const SIGN_OUT_API = bare('POST', '/api/auth/logout');
const SIGN_OUT_PAGE = bare('POST', '/logout');

// Each walk sends thousands of requests; the route count grows with every feature (not a speed test).
const WALK_TIMEOUT_MS = 240_000;

describe('hostile input on every route', () => {
  let t: TestApp;
  let admin: string;
  let agent: PageAgent;
  let csrf: string;
  let routes: RouteInputs[];
  /** How often each status answered, to see that the walk reached the handlers (not a wall of 401s). */
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    agent = await pageLogin(t.http, 'admin', TEST_ADMIN_PASSWORD);
    csrf = csrfOf((await agent.get('/').expect(200)).text);
    routes = routeInputs(t.app).filter((r) => !SIGN_OUT.includes(r.route));
  });

  afterAll(() => t.close());

  /** A refusal names a field of the route (the hostile one, or a required one that was left out), the body or the file. */
  function expectSound(res: request.Response, what: string, named: string[]): void {
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500) {
      throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body ?? res.text).slice(0, 300)}`);
    }
    if (res.status === 400 && res.type === 'application/json') {
      const body = res.body as { message?: string | string[]; field?: string };
      const text = [body.message ?? ''].flat().join('\n');
      const names = [...named, 'body', 'file'];
      const ok = (body.field && names.includes(body.field)) || names.some((n) => new RegExp(`\\b${n}\\b`).test(text));
      if (!ok) {
        throw new Error(`${what}: 400 names none of ${names.join(', ')}: ${text.slice(0, 300)}`);
      }
    }
  }

  const send = (route: RouteInputs, path: string, query: Record<string, string>, body?: string | object) => {
    const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    if (isApi(route.path)) {
      const req = request(t.http)[method](path).query(query).set('Authorization', admin);
      return body === undefined ? req : req.set('content-type', 'application/json').send(body);
    }
    const req = agent[method](path).query(query);
    return method === 'get' ? req : req.type('form').send({ ...(body as object), _csrf: csrf });
  };

  it('walks every route the app serves', () => {
    const served = (
      t.app.getHttpAdapter().getInstance() as {
        router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
      }
    ).router.stack
      .filter((layer) => layer.route && !layer.route.path.startsWith('/api/docs'))
      .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`));
    expect([...routes.map((r) => r.route), ...SIGN_OUT].sort()).toEqual([...new Set(served)].sort());
    expect(routes.length).toBeGreaterThan(60);
  });

  it(
    'no 5xx, and named refusals, for hostile text in every field and query parameter',
    async () => {
      for (const route of routes) {
        const hasBody = route.method !== 'GET';
        const bodyFields = route.body.length > 0 || !hasBody ? route.body : isApi(route.path) ? [] : FORM_FIELDS;
        const queryFields = route.freeQuery ? PAGE_QUERY : route.query;
        // Every field at once, then each on its own (another field's refusal must not hide its answer).
        const alone = (fields: string[], free: boolean) =>
          free ? fields.filter((f) => NUMERIC_FORM_FIELDS.has(f)) : fields;
        const sets: [string[], string[]][] = [
          [queryFields, bodyFields],
          ...alone(queryFields, route.freeQuery).map((f): [string[], string[]] => [[f], []]),
          ...(hasBody ? alone(bodyFields, route.body.length === 0) : []).map((f): [string[], string[]] => [[], [f]]),
        ];
        for (const [label, value] of TEXTS) {
          for (const [inQuery, inBody] of ONE_BY_ONE.has(label) ? sets : sets.slice(0, 1)) {
            const what = `${route.route} with ${label} in ${[...inQuery, ...inBody].join(', ') || 'nothing'}`;
            const query = Object.fromEntries(inQuery.map((f) => [f, value.slice(0, 2000)]));
            const body = hasBody ? Object.fromEntries(inBody.map((f) => [f, value])) : undefined;
            expectSound(await send(route, concrete(route.path), query, body), what, [...queryFields, ...bodyFields]);
          }
        }
      }
    },
    WALK_TIMEOUT_MS,
  );

  it(
    'no 5xx, and named refusals, for hostile JSON values and types in every API body field',
    async () => {
      for (const route of routes.filter((r) => isApi(r.path) && r.method !== 'GET' && r.body.length > 0)) {
        for (const [label, raw] of JSON_ONLY) {
          for (const fields of [route.body, ...route.body.map((f) => [f])]) {
            const body = `{${fields.map((f) => `${quoted(f)}:${raw}`).join(',')}}`;
            const what = `${route.route} with ${label} in ${fields.join(', ')}`;
            expectSound(await send(route, concrete(route.path), {}, body), what, route.body);
          }
        }
      }
    },
    WALK_TIMEOUT_MS,
  );

  it(
    'no 5xx for hostile path parameters',
    async () => {
      for (const route of routes.filter((r) => r.path.includes(':'))) {
        const params = [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]);
        for (const value of PATH_VALUES) {
          const body = route.method === 'GET' ? undefined : {};
          const res = await send(route, concrete(route.path, value), {}, body);
          expectSound(res, `${route.route} at ${value}`, [...params, ...route.body]);
        }
      }
    },
    WALK_TIMEOUT_MS,
  );

  it('was answered by validation and handlers, not turned away at the door', () => {
    const count = (status: number) => statuses.get(status) ?? 0;
    const all = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(count(400)).toBeGreaterThan(all / 4);
    expect(count(401) + count(303)).toBeLessThan(all / 20);
  });

  it('signs out with hostile input without a 5xx, and is still answering', async () => {
    for (const [label, value] of TEXTS) {
      expectSound(await send(SIGN_OUT_API, '/api/auth/logout', { next: value }, {}), `sign-out with ${label}`, []);
      expectSound(await send(SIGN_OUT_PAGE, '/logout', {}, { next: value }), `page sign-out with ${label}`, []);
    }
    const health = await request(t.http).get('/api/health').expect(200);
    expect(health.body.database).toBe('up');
  });
});
