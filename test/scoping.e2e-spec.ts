import request from 'supertest';
import { DataSource } from 'typeorm';
import { DEMO_DISTRICT_CODE } from '../src/app/demo/demo-district.js';
import { DemoLoader } from '../src/app/demo/demo-loader.service.js';
import { Household } from '../src/households/household.entity.js';
import { Person } from '../src/households/person.entity.js';
import { householdInput, SUBDISTRICT_A, VILLAGE_A, VILLAGE_B } from './factories/households.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';

type Role = 'admin' | 'caseworker' | 'insurance' | 'officer1' | 'leader';

describe('who may see and change households (SPEC §1)', () => {
  let t: TestApp;
  const token = {} as Record<Role, string>;
  let inA: { id: number; memberId: number };
  let inB: { id: number; memberId: number };

  beforeAll(async () => {
    t = await createTestApp({ ADMIN_PASSWORD: 'Admin-pass-2020' });
    token.admin = await t.login('admin', 'Admin-pass-2020');
    for (const user of ['caseworker', 'insurance', 'officer1', 'leader'] as const) {
      token[user] = await t.login(user);
    }
    const create = async (regionCode: string) => {
      const res = await request(t.http)
        .post('/api/households')
        .set('Authorization', token.caseworker)
        .send(householdInput({ regionCode }))
        .expect(201);
      return { id: res.body.id as number, memberId: res.body.members[0].id as number };
    };
    inA = await create(VILLAGE_A); // 城关街道: officer1's own
    inB = await create(VILLAGE_B); // 东塬街道: another sub-district
  });

  afterAll(() => t.close());

  const get = (path: string, role: Role) => request(t.http).get(path).set('Authorization', token[role]);

  it.each([
    ['admin', 200],
    ['caseworker', 200],
    ['insurance', 200],
    ['officer1', 200],
    ['leader', 403],
  ] as const)('%s reading the household list: %i', async (role, status) => {
    await get('/api/households', role).expect(status);
  });

  it.each([
    ['admin', 201],
    ['caseworker', 201],
    ['insurance', 403],
    ['officer1', 403],
    ['leader', 403],
  ] as const)('%s creating a household: %i', async (role, status) => {
    const input = householdInput({ regionCode: VILLAGE_A });
    await request(t.http).post('/api/households').set('Authorization', token[role]).send(input).expect(status);
    expect(await t.app.get(DataSource).getRepository(Household).existsBy({ registryNo: input.registryNo })).toBe(
      status === 201,
    );
  });

  it.each(['insurance', 'officer1', 'leader'] as const)(
    '%s may not change a household or person (403)',
    async (role) => {
      await request(t.http)
        .patch(`/api/households/${inA.id}`)
        .set('Authorization', token[role])
        .send({ status: 'lifted' })
        .expect(403);
      await request(t.http)
        .patch(`/api/persons/${inA.memberId}`)
        .set('Authorization', token[role])
        .send({ name: 'x' })
        .expect(403);
      await request(t.http)
        .post(`/api/households/${inA.id}/members`)
        .set('Authorization', token[role])
        .send({ idNumber: '110101199003074477', name: 'x', relation: 'child' })
        .expect(403);
    },
  );

  it('an officer lists only their own sub-district, silently, whatever region they ask for', async () => {
    const own = await get('/api/households?pageSize=200', 'officer1').expect(200);
    expect(own.body.total).toBeGreaterThanOrEqual(110);
    expect(
      own.body.items.every((h: { regionCode: string }) => h.regionCode.startsWith(SUBDISTRICT_A.slice(0, 9))),
    ).toBe(true);
    const all = await get(`/api/households?regionCode=${DEMO_DISTRICT_CODE}`, 'caseworker').expect(200);
    expect(own.body.total).toBeLessThan(all.body.total);

    const other = await get(`/api/households?regionCode=${VILLAGE_B}`, 'officer1').expect(200);
    expect(other.body).toMatchObject({ items: [], total: 0 });
  });

  it("an officer asking for another sub-district's household or person gets 404, not 403", async () => {
    await get(`/api/households/${inA.id}`, 'officer1').expect(200);
    await get(`/api/persons/${inA.memberId}`, 'officer1').expect(200);
    const household = await get(`/api/households/${inB.id}`, 'officer1').expect(404);
    expect(household.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    await get(`/api/persons/${inB.memberId}`, 'officer1').expect(404);
    // The same answer as for a household that does not exist at all: existence is not leaked.
    const missing = await get('/api/households/987654321', 'officer1').expect(404);
    expect(missing.body.error).toBe(household.body.error);
  });

  it('insurance staff read persons with masked IDs, but not the full number', async () => {
    const res = await get(`/api/persons/${inB.memberId}`, 'insurance').expect(200);
    expect(res.body.idNumber).toMatch(/^\d{6}\*{8}[\dX]{4}$/);
    await get(`/api/persons/${inB.memberId}/id-number`, 'insurance').expect(403);
    await get(`/api/persons/${inB.memberId}/id-number`, 'officer1').expect(403);
    const full = await get(`/api/persons/${inB.memberId}/id-number`, 'admin').expect(200);
    const stored = await t.app.get(DataSource).getRepository(Person).findOneByOrFail({ id: inB.memberId });
    expect(full.body.idNumber).toBe(stored.idNumber);
  });

  it('records every reading of a full ID number in a log that only admins read', async () => {
    const before = await get(`/api/access-log?personId=${inA.memberId}`, 'admin').expect(200);
    await get(`/api/persons/${inA.memberId}/id-number`, 'caseworker').expect(200);
    await get(`/api/persons/${inA.memberId}/id-number`, 'insurance').expect(403); // refused: not logged
    const after = await get(`/api/access-log?personId=${inA.memberId}`, 'admin').expect(200);
    expect(after.body.total).toBe(before.body.total + 1);
    expect(after.body.items[0]).toMatchObject({
      personId: inA.memberId,
      username: 'caseworker',
      at: '2020-04-15T02:00:00.000Z',
    });
    for (const role of ['caseworker', 'insurance', 'officer1', 'leader'] as const) {
      await get('/api/access-log', role).expect(403);
    }
  });

  it('no list or profile answer carries a full ID number', async () => {
    const stored = await t.app.get(DataSource).getRepository(Person).findOneByOrFail({ id: inA.memberId });
    for (const role of ['admin', 'caseworker', 'insurance', 'officer1'] as const) {
      const profile = await get(`/api/households/${inA.id}`, role).expect(200);
      expect(JSON.stringify(profile.body)).not.toContain(stored.idNumber);
    }
  });
});

describe('the demo district (SPEC §4)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(() => t.close());

  it('loads only once: on a database that has the district, the loader adds nothing', async () => {
    const households = t.app.get(DataSource).getRepository(Household);
    const before = await households.count();
    await expect(t.app.get(DemoLoader).loadIfEmpty()).resolves.toBe(false);
    expect(await households.count()).toBe(before);
  });
});
