import type { Browser } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Household } from '../src/households/household.entity.js';
import { Person } from '../src/households/person.entity.js';
import { Condition } from '../src/health/condition.entity.js';
import { Contract } from '../src/health/contract.entity.js';
import { FollowUp } from '../src/health/follow-up.entity.js';
import { INDICATOR_DEFINITIONS } from '../src/reports/indicator-definitions.js';
import { maskedId, newIdNumber, newRegistryNo, SUBDISTRICT_A, VILLAGE_A } from './factories/households.js';
import { unique } from './factories/items.js';
import { launchBrowser, screenshot, serve } from './utils/browser.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import {
  dashboardFigures,
  openHealthForm,
  seedEmptyRegister,
  sideways,
  signedIn,
  submitForm,
  textOf,
} from './utils/household-pages.js';
import { oracleIndicators } from './utils/indicator-oracle.js';

const PASSWORD = 'Caseworker-flow-2020';
const TODAY = '2020-04-15';

/**
 * Issue #16's "Done when", in one run on an empty register (no demo district, a database of its own):
 * a health caseworker, starting from the empty 贫困户 list and through the page forms only, registers
 * a household of three (新增贫困户), records a hypertension diagnosis for the head (新增患病), signs a
 * family-doctor contract covering it (家医签约) and records two follow-ups (随访登记: one controlled, one
 * uncontrolled blood pressure). Then the household page, the API (household, contracts, conditions,
 * the street's indicators) and the 工作台's indicator row agree with each other and with figures
 * counted in the test from the database rows. The refusals of each form are in pages-registry and
 * pages-health.
 */
describe('pages: a caseworker from an empty register to the 工作台 (issue 16)', () => {
  let t: TestApp;
  let db: DataSource;
  let base: string;
  let browser: Browser;
  let caseworker: string;
  const username = `cw_${unique()}`;
  const registryNo = newRegistryNo();
  const members = [
    { idNumber: newIdNumber('male'), name: '孙志强', relation: 'head' },
    { idNumber: newIdNumber('female'), name: '周桂芳', relation: 'spouse' },
    { idNumber: newIdNumber('female'), name: '孙晓燕', relation: 'child' },
  ];

  beforeAll(async () => {
    t = await createTestApp({ DEMO_DATA: '0' }, { freshDatabase: true });
    t.clock.set(`${TODAY}T02:00:00Z`);
    db = t.app.get(DataSource);
    base = await serve(t);
    browser = await launchBrowser();
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    await seedEmptyRegister(t, admin, [{ username, role: 'health_caseworker', displayName: '孙业务' }], PASSWORD);
    caseworker = await t.login(username, PASSWORD);
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const api = async (path: string) =>
    (await request(t.http).get(path).set('Authorization', caseworker).expect(200)).body;

  it('registers a household of three, a diagnosis, a contract and two follow-ups; page, API and 工作台 agree', async () => {
    const { context, page } = await signedIn(browser, base, username, PASSWORD);
    await Promise.all([page.waitForURL(`${base}/households`), page.click('nav.nav >> text=贫困户')]);
    await expect(textOf(page.locator('.households-table td.empty'))).resolves.toBe('没有符合条件的贫困户');
    expect(await db.getRepository(Household).count()).toBe(0);
    await screenshot(page, 'flow-list-empty-desktop');

    // 新增贫困户: a household of three.
    await Promise.all([page.waitForURL(`${base}/households/new`), page.click('text=新增贫困户')]);
    const newForm = page.locator('form.new-household');
    await page.fill('input[name="registryNo"]', registryNo);
    await newForm.locator('select[name="regionCode"]').selectOption(VILLAGE_A);
    await newForm.locator('select[name="povertyCause"]').selectOption('illness');
    await page.fill('input[name="registeredYear"]', '2016');
    for (const [i, m] of members.entries()) {
      await page.fill(`input[name="members.${i}.idNumber"]`, m.idNumber);
      await page.fill(`input[name="members.${i}.name"]`, m.name);
      await page.selectOption(`select[name="members.${i}.relation"]`, m.relation);
    }
    await screenshot(page, 'flow-new-household-desktop');
    expect(await submitForm(page, newForm)).toBe(303);
    await expect(textOf(page.locator('.alert-success'))).resolves.toBe('贫困户已登记。');
    const householdId = Number(/\/households\/(\d+)\?done=created$/.exec(page.url())?.[1]);
    expect(householdId).toBeGreaterThan(0);
    const persons = await db.getRepository(Person).find({ where: { householdId }, order: { id: 'ASC' } });
    expect(persons.map((p) => [p.idNumber, p.name, p.relation])).toEqual(
      members.map((m) => [m.idNumber, m.name, m.relation]),
    );
    const head = persons[0];
    const member = page.locator(`#member-${head.id}`);

    // 新增患病: hypertension for the head.
    let form = await openHealthForm(member, '新增患病');
    await form.locator('select[name="diseaseCode"]').selectOption('hypertension');
    await form.locator('select[name="treatmentCategory"]').selectOption('contracted');
    await form.locator('input[name="diagnosedOn"]').fill('2019-06-01');
    expect(await submitForm(page, form)).toBe(303);
    await expect(textOf(member.locator('.health-done'))).resolves.toBe('已新增患病记录。');

    // 家医签约 covering it.
    form = await openHealthForm(member, '家医签约');
    await expect(form.locator('input[name="diseaseCodes"][value="hypertension"]').isChecked()).resolves.toBe(true);
    await form.locator('input[name="institution"]').fill('城关镇卫生院');
    await form.locator('input[name="doctorName"]').fill('王医生团队');
    await form.locator('input[name="signedOn"]').fill('2020-01-06');
    expect(await submitForm(page, form)).toBe(303);
    await expect(textOf(member.locator('.health-done'))).resolves.toBe('已签约家庭医生。');

    // 随访登记 twice: controlled in February, uncontrolled in April.
    const visits = [
      { visitedOn: '2020-02-10', kind: 'clinic', systolic: '128', diastolic: '82', notes: '按时服药' },
      { visitedOn: '2020-04-10', kind: 'home', systolic: '165', diastolic: '98', notes: '漏服药物' },
    ];
    for (const visit of visits) {
      form = await openHealthForm(member, '随访登记');
      await form.locator('input[name="visitedOn"]').fill(visit.visitedOn);
      await form.locator('select[name="kind"]').selectOption(visit.kind);
      await form.locator('input[name="systolic"]').fill(visit.systolic);
      await form.locator('input[name="diastolic"]').fill(visit.diastolic);
      await form.locator('input[name="notes"]').fill(visit.notes);
      expect(await submitForm(page, form)).toBe(303);
      await expect(textOf(member.locator('.health-done'))).resolves.toBe('已登记随访。');
    }
    await page.goto(`${base}/households/${householdId}`);
    await screenshot(page, 'flow-household-desktop');

    // The database rows.
    const conditions = await db.getRepository(Condition).find({ where: { personId: head.id } });
    expect(conditions.map((c) => [c.diseaseCode, c.diagnosedOn, c.treatmentCategory])).toEqual([
      ['hypertension', '2019-06-01', 'contracted'],
    ]);
    const contract = await db.getRepository(Contract).findOneByOrFail({ personId: head.id });
    expect([contract.institution, contract.doctorName, contract.signedOn]).toEqual([
      '城关镇卫生院',
      '王医生团队',
      '2020-01-06',
    ]);
    expect(await db.getRepository(Contract).count()).toBe(1);
    const rows = await db
      .getRepository(FollowUp)
      .find({ where: { contractId: contract.id }, order: { visitedOn: 'ASC' } });
    expect(rows.map((f) => [f.visitedOn, f.kind, f.systolic, f.diastolic, f.notes])).toEqual(
      visits.map((v) => [v.visitedOn, v.kind, Number(v.systolic), Number(v.diastolic), v.notes]),
    );

    // The API says the same.
    const household = await api(`/api/households/${householdId}`);
    expect(household).toMatchObject({ registryNo, regionCode: VILLAGE_A, headName: '孙志强', memberCount: 3 });
    expect(household.members.map((m: { id: number; idNumber: string }) => [m.id, m.idNumber])).toEqual(
      persons.map((p) => [p.id, maskedId(p.idNumber)]),
    );
    const apiConditions = (await api(`/api/persons/${head.id}/conditions`)).items;
    expect(
      apiConditions.map((c: Condition) => [c.id, c.diseaseCode, c.diagnosedOn, c.treatmentCategory, c.version]),
    ).toEqual(conditions.map((c) => [c.id, c.diseaseCode, c.diagnosedOn, c.treatmentCategory, c.version]));
    const contracts = (await api(`/api/contracts?personId=${head.id}`)).items;
    expect(contracts).toHaveLength(1);
    expect(contracts[0]).toMatchObject({
      id: contract.id,
      institution: contract.institution,
      doctorName: contract.doctorName,
      signedOn: contract.signedOn,
      status: 'active',
      diseaseCodes: ['hypertension'],
      followUpsDone: rows.length,
      // The latest reading is uncontrolled: the next follow-up within 14 days.
      nextDue: [{ diseaseCode: 'hypertension', dueOn: '2020-04-24', overdue: false }],
    });
    expect(contracts[0].followUps.map((f: FollowUp) => [f.id, f.visitedOn, f.systolic, f.diastolic, f.notes])).toEqual(
      rows.map((f) => [f.id, f.visitedOn, f.systolic, f.diastolic, f.notes]),
    );

    // The household page says the same.
    await expect(textOf(page.locator('h1'))).resolves.toBe(`孙志强 户编号 ${registryNo}`);
    await expect(page.locator('.member h3').allTextContents()).resolves.toEqual(
      household.members.map((m: { name: string }) => m.name),
    );
    await expect(page.locator('.member .id-number code').allTextContents()).resolves.toEqual(
      household.members.map((m: { idNumber: string }) => m.idNumber),
    );
    await expect(textOf(member.locator('table'))).resolves.toContain('高血压');
    const contractText = await textOf(member.locator('.contract'));
    expect(contractText).toContain(contract.institution);
    expect(contractText).toContain('下次随访：2020年4月24日');
    const shownVisits = (await member.locator('ul.follow-ups li').allTextContents()).map((s) => s.trim());
    expect(shownVisits).toHaveLength(rows.length);
    expect(shownVisits[0]).toContain(`血压 ${rows[0].systolic}/${rows[0].diastolic}：`);
    expect(shownVisits[0]).not.toContain('未控制');
    expect(shownVisits[1]).toContain(`血压 ${rows[1].systolic}/${rows[1].diastolic} · 未控制`);
    await context.close();

    // The 工作台 and the API's street figures agree with those counted from the rows.
    const expected = (await oracleIndicators(db, TODAY))[SUBDISTRICT_A];
    // One hypertension patient, signed; his latest reading is uncontrolled.
    expect(expected.contractRate).toEqual({ numerator: 1, denominator: 1 });
    expect(expected.bpControlRate).toEqual({ numerator: 0, denominator: 1 });
    expect(expected.managedRate.denominator).toBe(1);
    const stats = await api(`/api/stats/indicators?asOf=${TODAY}`);
    const street = (stats.byRegion as ({ regionCode: string; name: string } & Record<string, unknown>)[]).find(
      (r) => r.regionCode === SUBDISTRICT_A,
    )!;
    expect(street.name).toBe('城关街道');
    for (const d of INDICATOR_DEFINITIONS) {
      const figure = street[d.key] as { numerator: number; denominator: number };
      expect({ key: d.key, figure: [figure.numerator, figure.denominator] }).toEqual({
        key: d.key,
        figure: [expected[d.key].numerator, expected[d.key].denominator],
      });
    }
    for (const width of [1280, 390]) {
      const dashboard = await signedIn(browser, base, username, PASSWORD, width);
      const shown = await dashboardFigures(dashboard.page, base, street.name);
      expect(shown).toEqual(
        INDICATOR_DEFINITIONS.map((d) => `${expected[d.key].numerator}/${expected[d.key].denominator}`),
      );
      expect(await sideways(dashboard.page)).toBeLessThanOrEqual(0);
      const suffix = width === 390 ? 'phone' : 'desktop';
      await screenshot(dashboard.page, `flow-dashboard-${suffix}`);
      await dashboard.page.goto(`${base}/households/${householdId}`);
      expect(await sideways(dashboard.page)).toBeLessThanOrEqual(0);
      await screenshot(dashboard.page, `flow-household-${suffix}`);
      await dashboard.context.close();
    }
  });
});
