import request from 'supertest';
import { DataSource } from 'typeorm';
import { Household } from '../src/households/household.entity.js';
import { Person } from '../src/households/person.entity.js';
import { householdInput, newIdNumber, VILLAGE_A, VILLAGE_B } from './factories/households.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';

const MASKED = /^\d{6}\*{8}[\dX]{4}$/;

describe('households and persons', () => {
  let t: TestApp;
  let caseworker: string;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    caseworker = await t.login('caseworker');
    db = t.app.get(DataSource);
  });

  afterAll(() => t.close());

  const post = (body: object) => request(t.http).post('/api/households').set('Authorization', caseworker).send(body);

  describe('create', () => {
    it('creates a household with its members, deriving sex and birth date, masking every ID', async () => {
      const input = householdInput();
      const res = await post(input).expect(201);
      expect(res.body).toMatchObject({
        registryNo: input.registryNo,
        regionCode: VILLAGE_A,
        regionName: '柳树村',
        status: 'poor',
        version: 1,
        headName: '测试户主',
        memberCount: 2,
      });
      const [head, spouse] = res.body.members;
      expect(head).toMatchObject({ relation: 'head', sex: 'male', status: 'active' });
      expect(spouse).toMatchObject({ relation: 'spouse', sex: 'female' });
      const id = input.members[0].idNumber;
      // The year only: the masked digits are the birth date (SPEC §2).
      expect(head.birthYear).toBe(Number(id.slice(6, 10)));
      expect(head).not.toHaveProperty('birthDate');
      expect(head.idNumber).toBe(`${id.slice(0, 6)}********${id.slice(14)}`);
      expect(JSON.stringify(res.body)).not.toContain(id);
    });

    it('accepts a lower-case x check character and stores it upper-cased', async () => {
      const published = '11010519491231002x';
      const input = householdInput({ members: [{ idNumber: published, name: '样本', relation: 'head' }] });
      const res = await post(input);
      // The published sample may exist from an earlier run on a shared database; either way it is stored as X.
      expect([201, 409]).toContain(res.status);
      const stored = await db.getRepository(Person).findOneByOrFail({ idNumber: '11010519491231002X' });
      expect(stored).toMatchObject({ sex: 'female', birthDate: '1949-12-31' });
    });

    it.each([
      ['a wrong check character', '110105194912310021', 'members.0.idNumber', /check character/],
      ['an impossible birth date', '110101199002304471', 'members.0.idNumber', /birth date/],
      ['a short number', '11010119900307447', 'members.0.idNumber', /18 characters/],
    ])('rejects %s with a 400 naming the field', async (_what, idNumber, field, reason) => {
      const input = householdInput();
      input.members[0].idNumber = idNumber;
      const res = await post(input).expect(400);
      const messages = res.body.message as string[];
      expect(messages.some((m) => m.startsWith(field) && reason.test(m))).toBe(true);
      expect(await db.getRepository(Household).existsBy({ registryNo: input.registryNo })).toBe(false);
    });

    it('names every bad field at once: enum, year, unknown field', async () => {
      const res = await post({
        ...householdInput({ povertyCause: 'bad-luck', registeredYear: 1999 }),
        colour: 'red',
      }).expect(400);
      const text = (res.body.message as string[]).join('\n');
      expect(text).toMatch(/povertyCause/);
      expect(text).toMatch(/registeredYear/);
      expect(text).toMatch(/property colour should not exist/);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });

    it('rejects a household without exactly one head', async () => {
      const input = householdInput();
      input.members[1].relation = 'head';
      const res = await post(input).expect(400);
      expect(res.body).toMatchObject({ field: 'members', message: expect.stringMatching(/exactly one head/) });
    });

    it('rejects an unknown region and a year in the future', async () => {
      const unknown = await post(householdInput({ regionCode: '610199009999' })).expect(400);
      expect(unknown.body.field).toBe('regionCode');
      const future = await post(householdInput({ registeredYear: t.clock.year() + 1 })).expect(400);
      expect(future.body.field).toBe('registeredYear');
    });

    it('answers 409 naming a duplicate registry number or (masked) ID number, and writes nothing', async () => {
      const first = householdInput();
      await post(first).expect(201);

      const sameRegistry = householdInput({ registryNo: first.registryNo });
      const dupRegistry = await post(sameRegistry).expect(409);
      expect(dupRegistry.body).toMatchObject({
        field: 'registryNo',
        message: expect.stringContaining(first.registryNo),
      });

      // The second member is new, the first one is taken: the household and the new member must not be written.
      const clash = householdInput();
      clash.members[0].idNumber = first.members[1].idNumber;
      const dupId = await post(clash).expect(409);
      const taken = first.members[1].idNumber;
      expect(dupId.body.message).toContain(`${taken.slice(0, 6)}********${taken.slice(14)}`);
      expect(dupId.body.message).not.toContain(taken);
      expect(await db.getRepository(Household).existsBy({ registryNo: clash.registryNo })).toBe(false);
      expect(await db.getRepository(Person).existsBy({ idNumber: clash.members[1].idNumber })).toBe(false);
    });

    it('rejects the same ID number twice in one household', async () => {
      const input = householdInput();
      input.members[1].idNumber = input.members[0].idNumber;
      const res = await post(input).expect(400);
      expect(res.body.field).toBe('members.1.idNumber');
    });
  });

  describe('list and read', () => {
    let target: { id: number; registryNo: string; headId: string };

    beforeAll(async () => {
      const input = householdInput({ regionCode: VILLAGE_B, status: 'lifted' });
      input.members[0].name = `查找${Date.now().toString(36)}`;
      const res = await post(input).expect(201);
      target = { id: res.body.id, registryNo: input.registryNo, headId: input.members[0].idNumber };
    });

    const list = (query: Record<string, string | number>) =>
      request(t.http).get('/api/households').set('Authorization', caseworker).query(query);

    it('filters by region (with everything under it), status, and pages', async () => {
      const district = await list({ regionCode: '610199000000', pageSize: 5 }).expect(200);
      expect(district.body).toMatchObject({ page: 1, pageSize: 5 });
      expect(district.body.items).toHaveLength(5);
      expect(district.body.total).toBeGreaterThanOrEqual(399);

      const sub = await list({ regionCode: '610199002000', pageSize: 200 }).expect(200);
      expect(sub.body.items.every((h: { regionCode: string }) => h.regionCode.startsWith('610199002'))).toBe(true);
      expect(sub.body.total).toBeLessThan(district.body.total);

      const poor = await list({ regionCode: '610199000000', status: 'poor', pageSize: 200 }).expect(200);
      expect(poor.body.items.every((h: { status: string }) => h.status === 'poor')).toBe(true);

      const page2 = await list({ regionCode: '610199000000', pageSize: 5, page: 2 }).expect(200);
      expect(page2.body.items[0].registryNo > district.body.items[4].registryNo).toBe(true);
    });

    it('finds a household by a member name, by registry number prefix, and by a whole ID number', async () => {
      const byRegistry = await list({ q: target.registryNo.slice(0, -1) }).expect(200);
      expect(byRegistry.body.items.map((h: { id: number }) => h.id)).toContain(target.id);

      const byId = await list({ q: target.headId.toLowerCase() }).expect(200);
      expect(byId.body.items.map((h: { id: number }) => h.id)).toEqual([target.id]);

      const household = await request(t.http)
        .get(`/api/households/${target.id}`)
        .set('Authorization', caseworker)
        .expect(200);
      const byName = await list({ q: household.body.headName }).expect(200);
      expect(byName.body.items.map((h: { id: number }) => h.id)).toEqual([target.id]);
    });

    it('treats % and _ in the search as plain characters', async () => {
      const res = await list({ q: '%' }).expect(200);
      expect(res.body.total).toBe(0);
    });

    it('rejects bad list parameters naming them', async () => {
      const res = await list({ pageSize: 201, status: 'gone', regionCode: '6101' }).expect(400);
      const text = (res.body.message as string[]).join('\n');
      expect(text).toMatch(/pageSize/);
      expect(text).toMatch(/status/);
      expect(text).toMatch(/regionCode/);
    });

    it('GET /api/households/:id gives the profile with masked members; unknown id is 404, non-numeric 400', async () => {
      const res = await request(t.http)
        .get(`/api/households/${target.id}`)
        .set('Authorization', caseworker)
        .expect(200);
      expect(res.body.members).toHaveLength(2);
      expect(res.body.members.every((m: { idNumber: string }) => MASKED.test(m.idNumber))).toBe(true);
      await request(t.http).get('/api/households/99999999').set('Authorization', caseworker).expect(404);
      await request(t.http).get('/api/households/abc').set('Authorization', caseworker).expect(400);
    });
  });

  describe('update', () => {
    it('PATCH changes the household and bumps its version; a stale version is 409 and changes nothing', async () => {
      const created = (await post(householdInput()).expect(201)).body;
      const patched = await request(t.http)
        .patch(`/api/households/${created.id}`)
        .set('Authorization', caseworker)
        .send({ status: 'lifted', version: 1 })
        .expect(200);
      expect(patched.body).toMatchObject({ status: 'lifted', version: 2 });

      const stale = await request(t.http)
        .patch(`/api/households/${created.id}`)
        .set('Authorization', caseworker)
        .send({ status: 'removed', version: 1 })
        .expect(409);
      expect(stale.body.field).toBe('version');
      expect((await db.getRepository(Household).findOneByOrFail({ id: created.id })).status).toBe('lifted');
    });

    it('PATCH to an unknown region is 400 and changes nothing', async () => {
      const created = (await post(householdInput()).expect(201)).body;
      await request(t.http)
        .patch(`/api/households/${created.id}`)
        .set('Authorization', caseworker)
        .send({ regionCode: '610199001999' })
        .expect(400);
      expect((await db.getRepository(Household).findOneByOrFail({ id: created.id })).regionCode).toBe(VILLAGE_A);
    });

    it('adds a member; a second head or a taken ID is refused', async () => {
      const created = (await post(householdInput()).expect(201)).body;
      const child = { idNumber: newIdNumber('female'), name: '测试子女', relation: 'child' };
      const res = await request(t.http)
        .post(`/api/households/${created.id}/members`)
        .set('Authorization', caseworker)
        .send(child)
        .expect(201);
      expect(res.body).toMatchObject({ householdId: created.id, relation: 'child', sex: 'female' });
      expect(res.body.idNumber).toMatch(MASKED);

      await request(t.http)
        .post(`/api/households/${created.id}/members`)
        .set('Authorization', caseworker)
        .send({ idNumber: newIdNumber(), name: '第二户主', relation: 'head' })
        .expect(400);
      await request(t.http)
        .post(`/api/households/${created.id}/members`)
        .set('Authorization', caseworker)
        .send(child)
        .expect(409);
      const members = await db.getRepository(Person).countBy({ householdId: created.id });
      expect(members).toBe(3);
    });

    it('PATCH /api/persons/:id updates status and name; the full ID is only on its own route', async () => {
      const created = (await post(householdInput()).expect(201)).body;
      const person = created.members[1];
      const res = await request(t.http)
        .patch(`/api/persons/${person.id}`)
        .set('Authorization', caseworker)
        .send({ status: 'deceased', name: '改名', version: person.version })
        .expect(200);
      expect(res.body).toMatchObject({ status: 'deceased', name: '改名', version: person.version + 1 });
      expect(res.body.idNumber).toMatch(MASKED);

      const full = await request(t.http)
        .get(`/api/persons/${person.id}/id-number`)
        .set('Authorization', caseworker)
        .expect(200);
      expect(full.body.idNumber).toMatch(/^\d{17}[\dX]$/);
      expect(full.body.idNumber.slice(-4)).toBe(person.idNumber.slice(-4));

      await request(t.http)
        .patch(`/api/persons/${person.id}`)
        .set('Authorization', caseworker)
        .send({ relation: 'head' })
        .expect(400);
      await request(t.http)
        .patch(`/api/persons/${person.id}`)
        .set('Authorization', caseworker)
        .send({ idNumber: newIdNumber() })
        .expect(400);
    });
  });
});

describe('concurrent writes', () => {
  let t: TestApp;
  let caseworker: string;

  beforeAll(async () => {
    t = await createTestApp();
    caseworker = await t.login('caseworker');
  });

  afterAll(() => t.close());

  it("one request's failure never undoes another's success running at the same moment", async () => {
    const taken = householdInput();
    await request(t.http).post('/api/households').set('Authorization', caseworker).send(taken).expect(201);
    const good = Array.from({ length: 6 }, () => householdInput());
    const bad = good.map(() => householdInput({ registryNo: taken.registryNo }));
    const answers = await Promise.all(
      good.flatMap((g, i) => [
        request(t.http).post('/api/households').set('Authorization', caseworker).send(g),
        request(t.http).post('/api/households').set('Authorization', caseworker).send(bad[i]),
      ]),
    );
    expect(answers.map((a) => a.status)).toEqual(good.flatMap(() => [201, 409]));
    const households = t.app.get(DataSource).getRepository(Household);
    for (const g of good) {
      expect(await households.existsBy({ registryNo: g.registryNo })).toBe(true);
    }
    for (const b of bad) {
      expect(await t.app.get(DataSource).getRepository(Person).existsBy({ idNumber: b.members[0].idNumber })).toBe(
        false,
      );
    }
  });
});
