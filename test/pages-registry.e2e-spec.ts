import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Household } from '../src/households/household.entity.js';
import { IdAccess } from '../src/households/id-access.entity.js';
import { Person } from '../src/households/person.entity.js';
import { maskedId, newIdNumber, newRegistryNo, SUBDISTRICT_B, VILLAGE_A } from './factories/households.js';
import { newCampaign, newItem, unique } from './factories/items.js';
import { launchBrowser, screenshot, serve } from './utils/browser.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { seedEmptyRegister, sideways, signedIn, submitForm, textOf } from './utils/household-pages.js';
import { csrfOf, pageLogin } from './utils/pages.js';

const PASSWORD = 'Registry-pages-2020';

/**
 * Issue #16, the registry in the pages, on an empty register (no demo district): a health
 * caseworker's 新增贫困户 form with a wrong ID number comes back as typed, nothing written (the
 * registration itself, checked against the API, is pages-caseworker-flow's); then they add a member,
 * mark one 迁出 with a day, edit the household (a stale form says so and keeps the text), read a full ID number with a
 * reason (logged, and listed on the admin's 身份证号查看记录 page); another sub-district's officer gets
 * 404 from every form. Each step is checked against the API and the database; screenshots at
 * desktop and 390 px go to test/artifacts/.
 */
describe('pages: 贫困户登记 (issue 16)', () => {
  let t: TestApp;
  let db: DataSource;
  let base: string;
  let browser: Browser;
  let admin: string;
  let caseworker: string;
  const names = { caseworker: `cw_${unique()}`, officer: `of_${unique()}` };
  const registryNo = newRegistryNo();
  const ids = { head: newIdNumber('male'), spouse: newIdNumber('female'), child: newIdNumber('male') };
  const grandchildId = newIdNumber('female');
  let householdId = 0;

  beforeAll(async () => {
    t = await createTestApp({ DEMO_DATA: '0' }, { freshDatabase: true });
    t.clock.set('2020-04-20T02:00:00Z');
    db = t.app.get(DataSource);
    base = await serve(t);
    browser = await launchBrowser();
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    await seedEmptyRegister(
      t,
      admin,
      [
        { username: names.caseworker, role: 'health_caseworker', displayName: '李业务' },
        { username: names.officer, role: 'subdistrict_officer', regionCode: SUBDISTRICT_B, displayName: '东塬专干' },
      ],
      PASSWORD,
    );
    caseworker = await t.login(names.caseworker, PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const as = (username: string, password: string, width = 1280) => signedIn(browser, base, username, password, width);
  const text = (page: Page, selector: string) => textOf(page.locator(selector));
  const api = (path: string, token = caseworker) => request(t.http).get(path).set('Authorization', token).expect(200);
  /** Submits the form `selector` and answers the status of the POST it sent. */
  const submit = (page: Page, selector: string) => submitForm(page, page.locator(selector));

  it('a refused 新增贫困户 form keeps what was typed; a member is added and one marked 迁出 with a day', async () => {
    // From the empty list to a registered household is pages-caseworker-flow's; here, the refusals.
    const { context, page } = await as(names.caseworker, PASSWORD);
    await page.goto(`${base}/households/new`);
    await page.fill('input[name="registryNo"]', registryNo);
    await page.selectOption('.new-household select[name="regionCode"]', VILLAGE_A);
    await page.selectOption('.new-household select[name="povertyCause"]', 'illness');
    await page.fill('input[name="registeredYear"]', '2016');
    const rows = [
      { idNumber: ids.head, name: '张建国', relation: 'head' },
      { idNumber: ids.spouse, name: '王秀英', relation: 'spouse' },
      // One wrong character: the check character of the child's number.
      { idNumber: ids.child.slice(0, 17) + (ids.child.endsWith('1') ? '2' : '1'), name: '张小明', relation: 'child' },
    ];
    for (const [i, row] of rows.entries()) {
      await page.fill(`input[name="members.${i}.idNumber"]`, row.idNumber);
      await page.fill(`input[name="members.${i}.name"]`, row.name);
      await page.selectOption(`select[name="members.${i}.relation"]`, row.relation);
    }
    expect(await submit(page, '.new-household')).toBe(400);
    await expect(text(page, '.member-row[data-row="2"] .field-error')).resolves.toBe('身份证号校验位不正确，请核对');
    await expect(page.locator('.new-household .field-error').count()).resolves.toBe(1);
    // What was typed comes back; nothing was written.
    await expect(page.inputValue('input[name="registryNo"]')).resolves.toBe(registryNo);
    await expect(page.inputValue('input[name="members.2.idNumber"]')).resolves.toBe(rows[2].idNumber);
    await expect(page.inputValue('input[name="members.1.name"]')).resolves.toBe('王秀英');
    await expect(page.inputValue('select[name="members.1.relation"]')).resolves.toBe('spouse');
    await expect(page.inputValue('.new-household select[name="regionCode"]')).resolves.toBe(VILLAGE_A);
    expect(await db.getRepository(Household).countBy({ registryNo })).toBe(0);
    expect(await db.getRepository(Person).count()).toBe(0);
    await screenshot(page, 'registry-new-refused-desktop');

    await page.fill('input[name="members.2.idNumber"]', ids.child);
    expect(await submit(page, '.new-household')).toBe(303);
    await expect(text(page, '.alert-success')).resolves.toBe('贫困户已登记。');
    householdId = Number(/\/households\/(\d+)\?done=created$/.exec(page.url())?.[1]);
    expect(householdId).toBeGreaterThan(0);
    await expect(page.title()).resolves.toContain(`张建国 · 户编号 ${registryNo}`);
    let household = (await api(`/api/households/${householdId}`)).body;
    expect(household.subdistrictName).toBe('城关街道');
    await expect(text(page, '.fact-subdistrict')).resolves.toBe(household.subdistrictName);
    const stored = await db.getRepository(Person).find({ where: { householdId }, order: { id: 'ASC' } });
    expect(stored.map((p) => p.idNumber)).toEqual([ids.head, ids.spouse, ids.child]);

    // 新增成员: a wrong relation is refused beside its field, then the member is added.
    await page.fill('.member-form input[name="idNumber"]', grandchildId);
    await page.fill('.member-form input[name="name"]', '张丫丫');
    expect(await submit(page, '.member-form')).toBe(400);
    await expect(text(page, '.member-form .field-error')).resolves.toBe('请选择与户主关系');
    await expect(page.inputValue('.member-form input[name="name"]')).resolves.toBe('张丫丫');
    await page.selectOption('.member-form select[name="relation"]', 'grandchild');
    expect(await submit(page, '.member-form')).toBe(303);
    await expect(text(page, '.alert-success')).resolves.toBe('已新增家庭成员。');
    household = (await api(`/api/households/${householdId}`)).body;
    expect(household.memberCount).toBe(4);
    await expect(page.locator('.member h3').allTextContents()).resolves.toEqual(
      household.members.map((m: { name: string }) => m.name),
    );

    // 迁出 with a day: a future day is refused (the clock's today is 2020-04-20), then 2020-03-01 is kept.
    const child = stored[2];
    const form = `#member-${child.id} .status-form`;
    await page.click(`#member-${child.id} .person-status-edit summary`);
    await page.selectOption(`${form} select[name="status"]`, 'moved');
    await page.fill(`${form} input[name="statusChangedOn"]`, '2020-04-21');
    expect(await submit(page, form)).toBe(400);
    await expect(text(page, `${form} .field-error`)).resolves.toBe('变更日期不能晚于今天');
    await expect(page.inputValue(`${form} input[name="statusChangedOn"]`)).resolves.toBe('2020-04-21');
    await expect(page.inputValue(`${form} select[name="status"]`)).resolves.toBe('moved');
    expect(await db.getRepository(Person).findOneByOrFail({ id: child.id })).toMatchObject({
      status: 'active',
      statusChangedOn: null,
    });
    await page.fill(`${form} input[name="statusChangedOn"]`, '2015-12-31');
    expect(await submit(page, form)).toBe(400);
    await expect(text(page, `${form} .field-error`)).resolves.toBe('变更日期不能早于本户建档年度');
    await page.fill(`${form} input[name="statusChangedOn"]`, '2020-03-01');
    expect(await submit(page, form)).toBe(303);
    await expect(text(page, '.alert-success')).resolves.toBe('成员状态已保存。');
    const moved = (await api(`/api/persons/${child.id}`)).body;
    expect(moved).toMatchObject({ status: 'moved', statusChangedOn: '2020-03-01' });
    expect(await db.getRepository(Person).findOneByOrFail({ id: child.id })).toMatchObject({
      status: 'moved',
      statusChangedOn: '2020-03-01',
    });
    await expect(text(page, `#member-${child.id} .person-status`)).resolves.toBe('迁出 · 2020年3月1日');
    await screenshot(page, 'registry-household-desktop');
    await context.close();
  });

  it('edits the household: a stale form says so and keeps the text; the page lists its open items', async () => {
    const campaign = await newCampaign(t, admin);
    const item = await newItem(t, caseworker, campaign.id, {
      title: `张建国户家庭医生未签约${unique()}`,
      subjectType: 'household',
      subjectId: householdId,
    });
    const { context, page } = await as(names.caseworker, PASSWORD);
    await page.goto(`${base}/households/${householdId}`);
    await expect(page.locator(`.open-items a[href="/items/${item.id}"]`).textContent()).resolves.toBe(item.title);

    // Someone changes the household meanwhile, through the API.
    const before = await db.getRepository(Household).findOneByOrFail({ id: householdId });
    await request(t.http)
      .patch(`/api/households/${householdId}`)
      .set('Authorization', caseworker)
      .send({ povertyCause: 'disability', version: before.version })
      .expect(200);
    await page.click('.registry-edit summary');
    await page.fill('.household-form input[name="registeredYear"]', '2015');
    expect(await submit(page, '.household-form')).toBe(409);
    await expect(text(page, '.household-form .alert-error')).resolves.toContain('该记录已被他人修改');
    await expect(page.inputValue('.household-form input[name="registeredYear"]')).resolves.toBe('2015');
    expect(await db.getRepository(Household).findOneByOrFail({ id: householdId })).toMatchObject({
      registeredYear: 2016,
      povertyCause: 'disability',
    });
    // The form keeps what was typed (the cause as it was) with the fresh version: submitting again is deliberate.
    await expect(page.inputValue('.household-form select[name="povertyCause"]')).resolves.toBe('illness');
    await page.selectOption('.household-form select[name="povertyCause"]', 'disability');
    expect(await submit(page, '.household-form')).toBe(303);
    const api1 = (await api(`/api/households/${householdId}`)).body;
    expect(api1).toMatchObject({ registeredYear: 2015, povertyCause: 'disability', version: before.version + 2 });
    await expect(text(page, '.fact-year')).resolves.toBe('2015');
    await expect(text(page, '.fact-cause')).resolves.toBe('因残');
    await context.close();
  });

  it('finds the household by the last four characters of an ID number; LIKE and regex characters are plain text', async () => {
    const { context, page } = await as(names.caseworker, PASSWORD);
    for (const [q, expected] of [
      [ids.spouse.slice(-4), [householdId]],
      ['%', []],
      ['_', []],
      ['.*', []],
      ['张(', []],
      ['张建', [householdId]],
    ] as const) {
      await page.goto(`${base}/households?q=${encodeURIComponent(q)}`);
      const shown = (await page
        .locator('.households-table tr[data-household]')
        .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-household'))))) satisfies number[];
      const listed = (await api(`/api/households?q=${encodeURIComponent(q)}`)).body.items.map(
        (h: { id: number }) => h.id,
      );
      expect({ q, shown }).toEqual({ q, shown: expected });
      expect(listed).toEqual(shown);
    }
    await expect(text(page, `tr[data-household="${householdId}"] .subdistrict`)).resolves.toBe('城关街道');
    await context.close();
  });

  it('reveals a full ID number with a reason, logged and listed on the admin page', async () => {
    const head = await db.getRepository(Person).findOneByOrFail({ idNumber: ids.head });
    const logged = () => db.getRepository(IdAccess).findBy({ personId: head.id });
    const { context, page } = await as(names.caseworker, PASSWORD);
    await page.goto(`${base}/households/${householdId}`);
    await page.click(`#member-${head.id} .reveal summary`);
    expect(await submit(page, `#member-${head.id} .reveal-form`)).toBe(400);
    await expect(text(page, `#member-${head.id} .reveal-form .field-error`)).resolves.toBe('请填写查看原因');
    expect(await logged()).toHaveLength(0);
    await page.fill(`#member-${head.id} .reveal-form input[name="reason"]`, '核对医保参保身份');
    expect(await submit(page, `#member-${head.id} .reveal-form`)).toBe(200);
    await expect(text(page, `#member-${head.id} .full-id`)).resolves.toBe(ids.head);
    // Only the member asked for: the others stay masked.
    await expect(page.locator('.full-id').count()).resolves.toBe(1);
    await screenshot(page, 'registry-reveal-desktop');
    const rows = await logged();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      username: names.caseworker,
      reason: '核对医保参保身份',
      at: '2020-04-20T02:00:00.000Z',
    });
    await context.close();

    const log = (await api(`/api/access-log?personId=${head.id}`, admin)).body;
    expect(log.items).toEqual([
      expect.objectContaining({
        id: rows[0].id,
        reason: '核对医保参保身份',
        personName: '张建国',
        idNumber: maskedId(ids.head),
      }),
    ]);
    for (const width of [1280, 390]) {
      const adminPage = await as('admin', TEST_ADMIN_PASSWORD, width);
      await Promise.all([
        adminPage.page.waitForURL(`${base}/system/id-access`),
        adminPage.page.click('nav.nav >> text=查看记录'),
      ]);
      const row = `tr[data-entry="${rows[0].id}"]`;
      await expect(text(adminPage.page, `${row} .subject`)).resolves.toBe('张建国');
      await expect(text(adminPage.page, `${row} .masked-id`)).resolves.toBe(maskedId(ids.head));
      await expect(text(adminPage.page, `${row} .who`)).resolves.toBe(names.caseworker);
      await expect(text(adminPage.page, `${row} .reason`)).resolves.toBe('核对医保参保身份');
      await expect(text(adminPage.page, `${row} .card-title`)).resolves.toBe('2020年4月20日 10:00');
      await expect(adminPage.page.content()).resolves.not.toContain(ids.head);
      expect(await sideways(adminPage.page)).toBeLessThanOrEqual(0);
      await screenshot(adminPage.page, `registry-id-access-${width === 390 ? 'phone' : 'desktop'}`);
      await adminPage.context.close();
    }
  });

  it('at 390 px: the list is one card per household, the forms fit the screen', async () => {
    const { context, page } = await as(names.caseworker, PASSWORD, 390);
    await page.goto(`${base}/households`);
    const row = `tr[data-household="${householdId}"]`;
    await expect(page.evaluate<string>(`getComputedStyle(document.querySelector('${row}')).display`)).resolves.toBe(
      'block',
    );
    await expect(text(page, `${row} .card-title`)).resolves.toBe(`${registryNo} 张建国`);
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'registry-list-phone');
    await page.goto(`${base}/households/${householdId}`);
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'registry-household-phone');
    await page.goto(`${base}/households/new`);
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'registry-new-phone');
    await context.close();
  });

  it("another sub-district's officer gets 404 from every form of the household; a POST without CSRF is 403", async () => {
    const officer = await pageLogin(t.http, names.officer, PASSWORD);
    const _csrf = csrfOf((await officer.get('/').expect(200)).text);
    const head = await db.getRepository(Person).findOneByOrFail({ idNumber: ids.head });
    const before = await db.getRepository(Household).findOneByOrFail({ id: householdId });
    await officer.get(`/households/${householdId}`).expect(404);
    const forms: [string, Record<string, string>][] = [
      [`/households/${householdId}`, { registeredYear: '2014', version: String(before.version) }],
      [`/households/${householdId}/members`, { idNumber: newIdNumber(), name: '外人', relation: 'other' }],
      [`/persons/${head.id}`, { status: 'deceased', statusChangedOn: '2020-01-01', version: '1' }],
      [`/persons/${head.id}/id-number`, { reason: '想看看' }],
    ];
    for (const [path, body] of forms) {
      const res = await officer
        .post(path)
        .type('form')
        .send({ ...body, _csrf });
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.text).not.toContain('张建国');
    }
    expect(await db.getRepository(Household).findOneByOrFail({ id: householdId })).toEqual(before);
    expect(await db.getRepository(IdAccess).countBy({ personId: head.id })).toBe(1);

    const agent = await pageLogin(t.http, names.caseworker, PASSWORD);
    const refused = await agent
      .post('/households')
      .type('form')
      .send({ registryNo: newRegistryNo(), regionCode: VILLAGE_A, povertyCause: 'illness', registeredYear: '2016' });
    expect(refused.status).toBe(403);
    expect(await db.getRepository(Household).count()).toBe(1);
  });
});
