import request from 'supertest';
import { createTestApp, type TestApp } from './utils/create-test-app.js';

interface RegionNode {
  code: string;
  name: string;
  level: string;
  parentCode: string | null;
  children: RegionNode[];
}

const DISTRICT = '610199000000';
const SUBDISTRICT = '610199005000'; // 北辰街道

function expectFieldsNamed(res: request.Response, fields: string[]): void {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  const body = res.body as { message: string | string[] };
  const messages = Array.isArray(body.message) ? body.message : [body.message];
  for (const field of fields) {
    expect(messages.some((m) => new RegExp(`\\b${field}\\b`).test(m))).toBe(true);
  }
}

describe('regions', () => {
  let t: TestApp;
  let caseworker: string;

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_PASSWORD: 'Admin-pass-2020' });
    caseworker = await t.login('caseworker');
  });

  afterAll(() => t.close());

  const tree = async (token = caseworker): Promise<RegionNode[]> => {
    const res = await request(t.http).get('/api/regions').set('Authorization', token).expect(200);
    expect(Object.keys(res.body as object)).toEqual(['items']);
    return (res.body as { items: RegionNode[] }).items;
  };

  const create = (body: Record<string, unknown>, token = caseworker) =>
    request(t.http).post('/api/regions').set('Authorization', token).send(body);

  /** The codes of the villages under SUBDISTRICT, as the tree shows them. */
  const villageCodes = async (): Promise<string[]> =>
    (await tree())
      .find((r) => r.code === DISTRICT)!
      .children.find((s) => s.code === SUBDISTRICT)!
      .children.map((v) => v.code);

  /** A village code under SUBDISTRICT numbered 900–999 that no run has used yet. */
  async function freeVillageCode(): Promise<string> {
    const used = new Set(await villageCodes());
    const start = Date.now() % 100;
    for (let i = 0; i < 100; i++) {
      const code = `${SUBDISTRICT.slice(0, 9)}${900 + ((start + i) % 100)}`;
      if (!used.has(code)) {
        return code;
      }
    }
    throw new Error('no free village code left under 900–999');
  }

  it('GET /api/regions returns the demo district as a tree, to every role', async () => {
    const items = await tree(await t.login('leader'));
    const district = items.find((r) => r.code === DISTRICT);
    expect(district).toMatchObject({ name: '示范区', level: 'district', parentCode: null });
    const subdistricts = district!.children;
    expect(subdistricts.map((s) => s.code)).toEqual(
      expect.arrayContaining(['610199001000', '610199002000', '610199003000', '610199004000', '610199005000']),
    );
    expect(subdistricts.length).toBeGreaterThanOrEqual(5);
    for (const s of subdistricts) {
      expect(s).toMatchObject({ level: 'subdistrict', parentCode: DISTRICT });
      expect(s.children.length).toBeGreaterThanOrEqual(3);
      for (const v of s.children) {
        expect(v).toMatchObject({ level: 'village', parentCode: s.code, children: [] });
        expect(v.code.startsWith(s.code.slice(0, 9))).toBe(true);
      }
    }
    expect(subdistricts.find((s) => s.code === '610199001000')?.name).toBe('城关街道');
  });

  it('GET /api/regions needs a token', async () => {
    await request(t.http).get('/api/regions').expect(401);
  });

  it('a caseworker adds a village, which then appears in the tree; a second time is 409', async () => {
    const code = await freeVillageCode();
    const body = { code, name: '测试新村', level: 'village', parentCode: SUBDISTRICT };
    const res = await create(body).expect(201);
    expect(res.body).toEqual(body);

    const district = (await tree()).find((r) => r.code === DISTRICT);
    const village = district?.children.find((s) => s.code === SUBDISTRICT)?.children.find((v) => v.code === code);
    expect(village).toEqual({ ...body, children: [] });

    const dup = await create({ ...body, name: '另一个村' }).expect(409);
    expect(dup.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
  });

  it('refuses a village outside its parent sub-district, or whose parent is not a sub-district', async () => {
    const code = await freeVillageCode();
    const village = { code, name: '错位村', level: 'village' };
    expectFieldsNamed(await create({ ...village, parentCode: '610199004000' }), ['parentCode']);
    expectFieldsNamed(await create({ ...village, parentCode: DISTRICT }), ['parentCode']);
    expectFieldsNamed(await create({ ...village, parentCode: '610199005001' }), ['parentCode']);
    expectFieldsNamed(await create({ ...village, parentCode: '610199008000' }), ['parentCode']); // unknown
    expectFieldsNamed(await create(village), ['parentCode']);
    expect(await villageCodes()).not.toContain(code);
  });

  it('refuses a code that does not fit its level or is not 12 digits', async () => {
    const parentCode = SUBDISTRICT;
    expectFieldsNamed(await create({ code: '610199005000', name: 'x', level: 'village', parentCode }), ['code']);
    expectFieldsNamed(await create({ code: '610199005901', name: 'x', level: 'subdistrict', parentCode: DISTRICT }), [
      'code',
    ]);
    expectFieldsNamed(await create({ code: '6101990059', name: 'x', level: 'village', parentCode }), ['code']);
    expectFieldsNamed(await create({ code: '61019900590A', name: 'x', level: 'village', parentCode }), ['code']);
    expectFieldsNamed(await create({ code: '610199005901', name: 'x', level: 'town', parentCode }), ['level']);
    expectFieldsNamed(await create({ level: 'village', parentCode }), ['code', 'name']);
  });

  it('refuses an unknown field', async () => {
    const code = await freeVillageCode();
    const res = await create({ code, name: '多字段村', level: 'village', parentCode: SUBDISTRICT, population: 300 });
    expectFieldsNamed(res, ['population']);
  });

  it.each(['officer5', 'leader', 'insurance'])('refuses %s with 403', async (who) => {
    const code = await freeVillageCode();
    const res = await create({ code, name: '越权村', level: 'village', parentCode: SUBDISTRICT }, await t.login(who));
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect(await villageCodes()).not.toContain(code); // nothing was created
  });
});
