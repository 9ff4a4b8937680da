import sharp from 'sharp';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Condition } from '../src/health/condition.entity.js';
import { Contract } from '../src/health/contract.entity.js';
import { Household } from '../src/households/household.entity.js';
import { Person } from '../src/households/person.entity.js';
import { Campaign } from '../src/ledger/campaign.entity.js';
import { inTransaction } from '../src/database/transaction.js';
import { Item } from '../src/ledger/item.entity.js';
import { ItemsService } from '../src/ledger/items.service.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { csrfOf, type PageAgent, pageLogin } from './utils/pages.js';
import { routeTable } from './utils/route-table.js';

/**
 * Every /api route of the app's own route table, for every role, against the answer SPEC §1 gives it.
 * A route missing from EXPECTED fails the first test, so a new route cannot be forgotten.
 */
type Who = 'admin' | 'caseworker' | 'insurance' | 'officer1' | 'leader';
const ALL: Who[] = ['admin', 'caseworker', 'insurance', 'officer1', 'leader'];
const KEEPERS: Who[] = ['admin', 'caseworker'];
const RECORDS: Who[] = ['admin', 'caseworker', 'insurance', 'officer1'];
const HEALTH_ACTORS: Who[] = ['admin', 'caseworker', 'officer1'];

/** Well-formed bodies, so that the answer is about who asks, not about what they sent. */
const BODIES: Record<string, object> = {
  'POST /api/items/:id/progress': { note: '已入户核实' },
  'POST /api/items/:id/close': { resolution: '已整改完成', version: 1 },
  'POST /api/items/:id/review': { decision: 'approve', version: 1 },
  'POST /api/items/:id/comments': { note: '请尽快整改' },
  'POST /api/items/:id/assignee': { assigneeName: '王建国', assigneePhone: '13912345678', version: 1 },
  'PATCH /api/campaigns/:id': { evidenceRequired: true },
};

/**
 * Who may call each route ('public': anyone, no token). `other: 404` marks routes on a record of
 * 城关街道 that an officer of another sub-district must not learn exists.
 */
const EXPECTED: Record<string, { may: Who[] | 'public'; other?: 404 }> = {
  'GET /api/health': { may: 'public' },
  'POST /api/auth/login': { may: 'public' },
  'GET /api/auth/me': { may: ALL },
  'POST /api/auth/logout': { may: ALL },
  'GET /api/users': { may: ['admin'] },
  'POST /api/users': { may: ['admin'] },
  'PATCH /api/users/:id': { may: ['admin'] },
  'POST /api/users/:id/password-reset': { may: ['admin'] },
  'POST /api/users/:id/unlock': { may: ['admin'] },
  'GET /api/regions': { may: ALL },
  'POST /api/regions': { may: KEEPERS },
  'GET /api/households': { may: RECORDS },
  'POST /api/households': { may: KEEPERS },
  'GET /api/households/:id': { may: RECORDS, other: 404 },
  'PATCH /api/households/:id': { may: KEEPERS },
  'POST /api/households/:id/members': { may: KEEPERS },
  'GET /api/households/:id/registry-changes': { may: RECORDS, other: 404 },
  'GET /api/persons/:id': { may: RECORDS, other: 404 },
  'PATCH /api/persons/:id': { may: KEEPERS },
  'GET /api/persons/:id/id-number': { may: KEEPERS },
  'GET /api/access-log': { may: ['admin'] },
  'GET /api/diseases': { may: ALL },
  'GET /api/persons/:id/conditions': { may: RECORDS, other: 404 },
  'POST /api/persons/:id/conditions': { may: KEEPERS },
  'PATCH /api/conditions/:id': { may: KEEPERS },
  'PUT /api/persons/:id/insurance/:year': { may: ['admin', 'insurance'] },
  'GET /api/contracts': { may: RECORDS },
  'POST /api/contracts': { may: KEEPERS },
  'GET /api/contracts/:id': { may: RECORDS, other: 404 },
  'POST /api/contracts/:id/follow-ups': { may: KEEPERS },
  'POST /api/contracts/:id/renew': { may: KEEPERS },
  'GET /api/stats/overview': { may: ALL },
  'GET /api/stats/progress': { may: ALL },
  'GET /api/stats/indicators': { may: ALL },
  'GET /api/worklists/:kind': { may: RECORDS },
  'GET /api/campaigns': { may: ALL },
  'POST /api/campaigns': { may: ['admin'] },
  'GET /api/campaigns/:id': { may: ALL },
  'PATCH /api/campaigns/:id': { may: ['admin'] },
  'GET /api/items': { may: ALL },
  'POST /api/items': { may: KEEPERS },
  'GET /api/items/export': { may: ALL },
  'GET /api/items/:id': { may: ALL, other: 404 },
  'GET /api/items/:id/ledger/verify': { may: ALL, other: 404 },
  // The probe item is the health department's: insurance staff act on insurance items only (403).
  'POST /api/items/:id/start': { may: HEALTH_ACTORS, other: 404 },
  'POST /api/items/:id/progress': { may: HEALTH_ACTORS, other: 404 },
  'POST /api/items/:id/close': { may: HEALTH_ACTORS, other: 404 },
  'POST /api/items/:id/assignee': { may: HEALTH_ACTORS, other: 404 },
  // 销号审核 of the health item: 卫健局 or an admin (insurance staff review insurance items only: 403).
  'POST /api/items/:id/review': { may: KEEPERS },
  // 批注: whoever reads the item, the leadership included.
  'POST /api/items/:id/comments': { may: ALL, other: 404 },
  'POST /api/items/:id/reopen': { may: KEEPERS },
  // 佐证材料 (issue #15): added by those who act on the item, read by whoever reads it.
  'POST /api/items/:id/attachments': { may: HEALTH_ACTORS, other: 404 },
  'GET /api/items/:id/attachments': { may: ALL, other: 404 },
  'GET /api/attachments/:id': { may: ALL, other: 404 },
  'GET /api/attachments/:id/thumbnail': { may: ALL, other: 404 },
  'POST /api/items/:id/reassign': { may: KEEPERS },
  'POST /api/items/:id/deadline': { may: KEEPERS },
  // Issue #16: 批量登记 of a supervision group's findings (multipart; an empty body is 400 to those who may).
  'POST /api/items/batch': { may: KEEPERS },
  'GET /api/items/batch/template': { may: KEEPERS },
  'POST /api/checks/run': { may: KEEPERS },
  'GET /api/checks/runs': { may: KEEPERS },
  'POST /api/escalations/run': { may: ['admin'] },
  'GET /api/escalations/runs': { may: ['admin'] },
  'GET /api/notifications': { may: ALL },
  'POST /api/notifications/:id/read': { may: ALL },
  'POST /api/notifications/read-all': { may: ALL },
  'GET /api/imports': { may: KEEPERS },
  'POST /api/imports/households': { may: KEEPERS },
  'GET /api/imports/template': { may: KEEPERS },
  'GET /api/imports/:id': { may: KEEPERS },
  'GET /api/imports/:id/errors.csv': { may: KEEPERS },
  'POST /api/imports/:id/resume': { may: KEEPERS },
  'POST /api/imports/:id/cancel': { may: KEEPERS },
  'GET /api/reconciliations': { may: ['admin', 'insurance'] },
  // SPEC §6.5: caseworkers upload the poverty office's register here (source=poverty) and file its
  // items, so the request reaches its validation (the insurance roster stays 403 to them: reconciliation-poverty).
  'POST /api/reconciliations': { may: ['admin', 'insurance', 'caseworker'] },
  'GET /api/reconciliations/:id': { may: ['admin', 'insurance'] },
  'GET /api/reconciliations/template': { may: ['admin', 'insurance'] },
  'GET /api/reconciliations/:id/discrepancies.csv': { may: ['admin', 'insurance'] },
  'POST /api/reconciliations/:id/items': { may: ['admin', 'insurance', 'caseworker'] },
  'POST /api/reconciliations/:id/apply-enrollment': { may: ['admin', 'insurance'] },
  'POST /api/reconciliations/:id/apply': { may: KEEPERS },
  'POST /api/reconciliations/:id/cancel': { may: ['admin', 'insurance'] },
  'POST /api/risk/settlements': { may: ['admin', 'insurance'] },
  'GET /api/risk/settlements': { may: ['admin', 'insurance'] },
  'GET /api/risk/settlements/:id': { may: ['admin', 'insurance'] },
  'GET /api/risk/thresholds': { may: ['admin', 'caseworker', 'insurance'] },
  'PUT /api/risk/thresholds/:year': { may: ['admin'] },
  'POST /api/risk/run': { may: ['admin'] },
  'GET /api/risk/alerts': { may: ['admin', 'caseworker', 'insurance'] },
  'GET /api/risk/push-list': { may: KEEPERS },
};

/**
 * The routes left out of the role × route runs, each with its reason: calling them would end the
 * session the rest of the matrix goes on with. They are still checked for 401/the login redirect.
 */
const SKIPPED_API: Record<string, string> = {
  'POST /api/auth/logout': 'signing out ends the tokens the matrix goes on with; auth-hardening.e2e-spec.ts covers it',
};
const SKIPPED_PAGES: Record<string, string> = {
  'POST /logout': 'signing out ends the session the matrix goes on with; pages-session.e2e-spec.ts covers it',
};

/** An allowed call gets an answer about the call, neither a refusal nor a failure. */
function expectAllowed(status: number): void {
  expect([401, 403]).not.toContain(status);
  expect(status).toBeLessThan(500);
}

/** Who may open each page (SPEC §3 Pages); the pages answer 403 with a rendered error page otherwise. */
const PAGES: Record<string, { may: Who[] | 'public'; other?: 404 }> = {
  'GET /': { may: 'public' },
  'GET /login': { may: 'public' },
  'POST /login': { may: 'public' },
  'POST /logout': { may: ALL },
  'GET /logout': { may: 'public' },
  'GET /households': { may: RECORDS },
  'GET /households/:id': { may: RECORDS, other: 404 },
  // Issue #16: the health forms of the household page, for those who keep health records.
  'POST /households/:id/persons/:personId/conditions': { may: KEEPERS },
  'POST /households/:id/conditions/:conditionId': { may: KEEPERS },
  'POST /households/:id/persons/:personId/contracts': { may: KEEPERS },
  'POST /households/:id/contracts/:contractId/renew': { may: KEEPERS },
  'POST /households/:id/contracts/:contractId/follow-ups': { may: KEEPERS },
  // Issue #16: the registry forms. Each finds the record in the caller's scope first (another
  // sub-district's officer: 404), then asks whether the role may use the form (403).
  'GET /households/new': { may: KEEPERS },
  'POST /households': { may: KEEPERS },
  'POST /households/:id': { may: KEEPERS, other: 404 },
  'POST /households/:id/members': { may: KEEPERS, other: 404 },
  'POST /persons/:id': { may: KEEPERS, other: 404 },
  'POST /persons/:id/id-number': { may: KEEPERS, other: 404 },
  'GET /system/id-access': { may: ['admin'] },
  'GET /items': { may: ALL },
  'GET /items/:id': { may: ALL, other: 404 },
  // Issue #17: 工作清单 (the lists name persons: record readers).
  'GET /worklists': { may: RECORDS },
  'GET /worklists/:kind': { may: RECORDS },
  'POST /items/:id/start': { may: HEALTH_ACTORS, other: 404 },
  'POST /items/:id/progress': { may: HEALTH_ACTORS, other: 404 },
  'POST /items/:id/close': { may: HEALTH_ACTORS, other: 404 },
  'POST /items/:id/reopen': { may: KEEPERS },
  // Issue #15: the 待审核 list (reviewers), 销号审核 of the health item (卫健局 or an admin), 批注 by
  // whoever reads the item, 责任人 and 佐证材料 by those who act on it.
  'GET /items/review': { may: ['admin', 'caseworker', 'insurance'] },
  'POST /items/:id/review': { may: KEEPERS },
  'POST /items/:id/comments': { may: ALL, other: 404 },
  'POST /items/:id/assignee': { may: HEALTH_ACTORS, other: 404 },
  'POST /items/:id/attachments': { may: HEALTH_ACTORS, other: 404 },
  // Issue #16: 登记整改问题 and 批量登记 (those who file items), 移交 and 调整期限 (managers), 整改专项.
  'GET /items/new': { may: KEEPERS },
  'POST /items/new': { may: KEEPERS },
  'GET /items/batch': { may: KEEPERS },
  'POST /items/batch': { may: KEEPERS },
  'POST /items/:id/reassign': { may: KEEPERS },
  'POST /items/:id/deadline': { may: KEEPERS },
  'GET /campaigns': { may: ALL },
  'POST /campaigns': { may: ['admin'] },
  'POST /campaigns/:id': { may: ['admin'] },
  'GET /imports': { may: KEEPERS },
  'POST /imports': { may: KEEPERS },
  'GET /imports/:id': { may: KEEPERS },
  'POST /imports/:id/resume': { may: KEEPERS },
  'POST /imports/:id/cancel': { may: KEEPERS },
  'GET /reconciliations': { may: ['admin', 'insurance'] },
  'POST /reconciliations': { may: ['admin', 'insurance', 'caseworker'] },
  'GET /reconciliations/:id': { may: ['admin', 'insurance'] },
  'GET /reconciliations/:id/apply-enrollment': { may: ['admin', 'insurance'] },
  'GET /reconciliations/:id/apply': { may: KEEPERS },
  'POST /reconciliations/:id/apply': { may: KEEPERS },
  'GET /region-codes': { may: ALL },
  'POST /reconciliations/:id/items': { may: ['admin', 'insurance'] },
  'POST /reconciliations/:id/apply-enrollment': { may: ['admin', 'insurance'] },
  'POST /reconciliations/:id/cancel': { may: ['admin', 'insurance'] },
  'GET /risk': { may: ['admin', 'caseworker', 'insurance'] },
  'POST /risk/settlements': { may: ['admin', 'insurance'] },
  'GET /risk/settlements/:id': { may: ['admin', 'insurance'] },
  'POST /risk/thresholds': { may: ['admin'] },
  'POST /risk/run': { may: ['admin'] },
  'GET /notifications': { may: ALL },
  'POST /notifications/:id/read': { may: ALL },
  'POST /notifications/read-all': { may: ALL },
  'GET /bulletin': { may: ALL },
  'GET /users': { may: ['admin'] },
  'POST /users': { may: ['admin'] },
  // Issue #16: one account's page and its actions (an unknown account here: 404 for an admin),
  // 运行查漏补缺 (those who may run the checks) and 运行预警 (admins), each a dry run then a confirmed run.
  'GET /users/:id': { may: ['admin'] },
  'POST /users/:id': { may: ['admin'] },
  'POST /users/:id/active': { may: ['admin'] },
  'POST /users/:id/password-reset': { may: ['admin'] },
  'POST /users/:id/unlock': { may: ['admin'] },
  'GET /system': { may: KEEPERS },
  'GET /system/checks': { may: KEEPERS },
  'POST /system/checks/dry-run': { may: KEEPERS },
  'POST /system/checks/run': { may: KEEPERS },
  'GET /system/escalations': { may: ['admin'] },
  'POST /system/escalations/dry-run': { may: ['admin'] },
  'POST /system/escalations/run': { may: ['admin'] },
};

describe('authorization matrix: every API route × every role', () => {
  let t: TestApp;
  const token = {} as Record<Who | 'officer2', string>;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2020-04-15T02:00:00Z');
    token.admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    for (const who of ['caseworker', 'insurance', 'officer1', 'officer2', 'leader'] as const) {
      token[who] = await t.login(who);
    }
    // Records of 城关街道 (officer1's): the demo district has some of each.
    const db = t.app.get(DataSource);
    const household = await db
      .getRepository(Household)
      .createQueryBuilder('h')
      .where("h.regionCode LIKE '610199001%'")
      .orderBy('h.id')
      .getOneOrFail();
    const person = await db.getRepository(Person).findOneByOrFail({ householdId: household.id });
    const contract = await db
      .getRepository(Contract)
      .createQueryBuilder('c')
      .innerJoin(Person, 'p', 'p.id = c.personId')
      .innerJoin(Household, 'h', 'h.id = p.householdId')
      .where("h.regionCode LIKE '610199001%'")
      .getOneOrFail();
    const condition = await db.getRepository(Condition).findOneByOrFail({ personId: contract.personId });
    const item = await db.getRepository(Item).findOneOrFail({
      where: { regionCode: '610199001000', status: 'open', responsibleDept: 'health' },
      order: { id: 'ASC' },
    });
    const campaign = await db.getRepository(Campaign).findOneOrFail({ where: {}, order: { id: 'ASC' } });
    // A photo of the probe item, for the attachment routes.
    const photo = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#888' } })
      .jpeg()
      .toBuffer();
    const attachment = await request(t.http)
      .post(`/api/items/${item.id}/attachments`)
      .set('Authorization', token.admin)
      .attach('file', photo, 'matrix.jpg')
      .expect(201);
    Object.assign(ids, {
      attachment: (attachment.body as { id: number }).id,
      household: household.id,
      person: person.id,
      contract: contract.id,
      condition: condition.id,
      item: item.id,
      campaign: campaign.id,
    });
  });

  afterAll(() => t.close());

  /** A concrete path for a route pattern: a 城关 record for each id (unknown ones for imports and the like). */
  const pathOf = (route: string) => {
    const [, pattern] = route.split(' ');
    const resource = pattern.split('/')[2];
    const id =
      {
        households: ids.household,
        persons: ids.person,
        contracts: ids.contract,
        conditions: ids.condition,
        items: ids.item,
        campaigns: ids.campaign,
        attachments: ids.attachment,
      }[resource] ?? 999_999;
    return pattern.replace(':id', String(id)).replace(':year', '2020').replace(':kind', 'followups_overdue');
  };
  const call = (route: string, who?: Who | 'officer2') => {
    const [method] = route.split(' ');
    const req = request(t.http)[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch'](pathOf(route));
    return (who ? req.set('Authorization', token[who]) : req).send(BODIES[route] ?? {});
  };

  it('has an expected answer for every route the app serves, and no stale entries', () => {
    const served = routeTable(t)
      .filter((r) => / \/api\//.test(r))
      .sort();
    expect(served.filter((r) => !(r in EXPECTED))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((r) => !served.includes(r))).toEqual([]);
  });

  const routes = Object.keys(EXPECTED);

  it.each(routes.filter((r) => EXPECTED[r].may !== 'public'))('%s needs a token (401 without one)', async (route) => {
    const res = await call(route);
    expect(res.status).toBe(401);
  });

  const acting = routes.filter((r) => !(r in SKIPPED_API));

  it('leaves out of the role runs exactly the routes SKIPPED_API names, each a route it serves', () => {
    expect(routes.filter((r) => !acting.includes(r))).toEqual(Object.keys(SKIPPED_API));
    expect(Object.keys(SKIPPED_API).filter((r) => !routeTable(t).includes(r))).toEqual([]);
  });

  it.each(acting.flatMap((route) => ALL.map((who) => [route, who] as const)))('%s as %s', async (route, who) => {
    const res = await call(route, who);
    const may = EXPECTED[route].may;
    if (may === 'public' || may.includes(who)) {
      expectAllowed(res.status);
    } else {
      expect(res.status).toBe(403);
    }
  });

  it.each(routes.filter((r) => EXPECTED[r].other === 404))(
    "%s on 城关's record as another sub-district's officer: 404",
    async (route) => {
      const res = await call(route, 'officer2');
      expect(res.status).toBe(404);
    },
  );

  describe("an item's person or household subject lies in the item's sub-district", () => {
    /** A person of 东塬街道 (officer2's), and an item of 城关 about one of its own residents. */
    let eastPerson: Person;
    let eastHousehold: Household;

    beforeAll(async () => {
      const db = t.app.get(DataSource);
      eastHousehold = await db
        .getRepository(Household)
        .createQueryBuilder('h')
        .where("h.regionCode LIKE '610199002%'")
        .orderBy('h.id')
        .getOneOrFail();
      eastPerson = await db.getRepository(Person).findOneByOrFail({ householdId: eastHousehold.id });
    });

    const create = (who: Who, body: Record<string, unknown>) =>
      request(t.http)
        .post('/api/items')
        .set('Authorization', token[who])
        .send({ campaignId: ids.campaign, category: 'data', title: '核实对象信息', ...body });

    it.each(KEEPERS)(
      'as %s: creating a 城关 item about a 东塬 person or household is 400 naming regionCode',
      async (who) => {
        for (const subject of [
          { subjectType: 'person', subjectId: eastPerson.id },
          { subjectType: 'household', subjectId: eastHousehold.id },
        ]) {
          const res = await create(who, { ...subject, regionCode: '610199001000' }).expect(400);
          expect(res.body).toMatchObject({
            field: 'regionCode',
            message: expect.stringContaining('regionCode 610199001000'),
          });
          expect(res.body.message).toContain(`subjectId ${subject.subjectId}`);
        }
        // Its own sub-district (or none given: the subject's) is accepted.
        await create(who, { subjectType: 'person', subjectId: eastPerson.id, regionCode: '610199002001' }).expect(201);
      },
    );

    it.each(KEEPERS)(
      'as %s: reassigning an item about a 城关 resident to 东塬 is 400 naming regionCode',
      async (who) => {
        const item = (await create(who, { subjectType: 'person', subjectId: ids.person }).expect(201)).body;
        const res = await request(t.http)
          .post(`/api/items/${item.id}/reassign`)
          .set('Authorization', token[who])
          .send({ regionCode: '610199002000', version: item.version })
          .expect(400);
        expect(res.body).toMatchObject({
          field: 'regionCode',
          message: expect.stringContaining(`subjectId ${ids.person}`),
        });
        // Another department in the same sub-district is still a reassignment.
        await request(t.http)
          .post(`/api/items/${item.id}/reassign`)
          .set('Authorization', token[who])
          .send({ responsibleDept: 'insurance', version: item.version })
          .expect(200);
      },
    );

    it("names no 东塬 resident to 城关's officer through an item filed before the rule", async () => {
      // Filed the way the system files items (trusted input, as the old gap checks did).
      const db = t.app.get(DataSource);
      const dedupeKey = `matrix-legacy:${Date.now()}`;
      await inTransaction(db, (em) =>
        t.app.get(ItemsService).createMany(
          em,
          [
            {
              campaignId: ids.campaign,
              category: 'data',
              title: '核实对象信息',
              subjectType: 'person',
              subjectId: eastPerson.id,
              regionCode: '610199001000',
              responsibleDept: 'health',
              source: 'check',
              dedupeKey,
            },
          ],
          { id: null, name: '系统' },
        ),
      );
      const legacy = await db.getRepository(Item).findOneByOrFail({ dedupeKey });
      const officer = await request(t.http)
        .get(`/api/items/${legacy.id}`)
        .set('Authorization', token.officer1)
        .expect(200);
      expect(officer.body).toMatchObject({ subjectId: eastPerson.id, subjectName: null, subjectIdNumber: null });
      expect(JSON.stringify(officer.body)).not.toContain(eastPerson.name);
      const caseworker = await request(t.http).get(`/api/items/${legacy.id}`).set('Authorization', token.caseworker);
      expect(caseworker.body.subjectName).toBe(eastPerson.name);
    });
  });
});

describe('authorization matrix: every page × every role (session cookie and CSRF token, as a browser)', () => {
  let t: TestApp;
  const agents = {} as Record<Who | 'officer2', PageAgent>;
  const csrf = {} as Record<Who | 'officer2', string>;
  let itemId = 0;
  let householdId = 0;
  let personId = 0;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2020-04-15T02:00:00Z');
    for (const who of ['caseworker', 'insurance', 'officer1', 'officer2', 'leader'] as const) {
      agents[who] = await pageLogin(t.http, who);
    }
    agents.admin = await pageLogin(t.http, 'admin', TEST_ADMIN_PASSWORD);
    for (const who of Object.keys(agents) as (Who | 'officer2')[]) {
      csrf[who] = csrfOf((await agents[who].get('/').expect(200)).text);
    }
    const db = t.app.get(DataSource);
    householdId = (
      await db
        .getRepository(Household)
        .createQueryBuilder('h')
        .where("h.regionCode LIKE '610199001%'")
        .orderBy('h.id')
        .getOneOrFail()
    ).id;
    personId = (await db.getRepository(Person).findOneByOrFail({ householdId })).id;
    itemId = (
      await db.getRepository(Item).findOneOrFail({
        where: { regionCode: '610199001000', status: 'open', responsibleDept: 'health' },
        order: { id: 'ASC' },
      })
    ).id;
  });

  afterAll(() => t.close());

  const pathOf = (route: string) => {
    const [, pattern] = route.split(' ');
    const id = { households: householdId, persons: personId, items: itemId }[pattern.split('/')[1]] ?? 999_999;
    return pattern.replace(':id', String(id)).replace(':kind', 'items_due');
  };
  const BODIES: Record<string, object> = {
    'POST /items/:id/progress': { note: '已入户核实' },
    'POST /items/:id/close': { resolution: '已整改完成', version: 1 },
    'POST /items/:id/review': { decision: 'approve', version: 1 },
    'POST /items/:id/comments': { note: '请尽快整改' },
    'POST /items/:id/assignee': { assigneeName: '王建国', assigneePhone: '13912345678', version: 1 },
  };
  const call = (route: string, who?: Who | 'officer2') => {
    const [method] = route.split(' ');
    const client = who ? agents[who] : request(t.http);
    if (method === 'GET') {
      return client.get(pathOf(route));
    }
    return client
      .post(pathOf(route))
      .type('form')
      .send({ ...(BODIES[route] ?? {}), ...(who ? { _csrf: csrf[who] } : {}) });
  };

  it('has an expected answer for every page the app serves, and no stale entries', () => {
    const served = routeTable(t)
      .filter((r) => !/ \/(api|admin)\//.test(r))
      .sort();
    expect(served.filter((r) => !(r in PAGES))).toEqual([]);
    expect(Object.keys(PAGES).filter((r) => !served.includes(r))).toEqual([]);
  });

  const pages = Object.keys(PAGES).filter((r) => !(r in SKIPPED_PAGES));

  it('leaves out exactly the pages SKIPPED_PAGES names, each a page it serves', () => {
    expect(Object.keys(PAGES).filter((r) => !pages.includes(r))).toEqual(Object.keys(SKIPPED_PAGES));
    expect(Object.keys(SKIPPED_PAGES).filter((r) => !routeTable(t).includes(r))).toEqual([]);
  });

  it.each(pages.filter((r) => PAGES[r].may !== 'public'))('%s sends a visitor to the login form', async (route) => {
    const res = await call(route);
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/(login)?(\?|$)/);
  });

  it.each(pages.flatMap((route) => ALL.map((who) => [route, who] as const)))('%s as %s', async (route, who) => {
    const res = await call(route, who);
    const may = PAGES[route].may;
    if (may === 'public' || may.includes(who)) {
      expectAllowed(res.status);
    } else {
      expect(res.status).toBe(403);
    }
  });

  it.each(pages.filter((r) => PAGES[r].other === 404))(
    "%s on 城关's record as another sub-district's officer: 404",
    async (route) => {
      const res = await call(route, 'officer2');
      expect(res.status).toBe(404);
    },
  );
});
