import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Condition } from '../src/health/condition.entity.js';
import { Contract } from '../src/health/contract.entity.js';
import { FollowUp } from '../src/health/follow-up.entity.js';
import { INDICATOR_DEFINITIONS } from '../src/reports/indicator-definitions.js';
import { householdInput, newIdNumber, SUBDISTRICT_A } from './factories/households.js';
import { launchBrowser, screenshot, serve } from './utils/browser.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';
import { dashboardFigures, openHealthForm, sideways, signedIn, submitForm, textOf } from './utils/household-pages.js';
import { oracleIndicators } from './utils/indicator-oracle.js';
import { csrfOf, pageLogin } from './utils/pages.js';

const TODAY = '2020-04-15';

interface Member {
  id: number;
  name: string;
  relation: string;
}

/**
 * Issue #16, the health records in the pages, on the demo district: a caseworker, on the household
 * page of a household of three made through the API, meets each form's refusal at its field (a
 * diagnosis date in the future, a diastolic not below the systolic, 放弃救治 without a reason: nothing
 * written), changes a major disease's treatment status (the 工作台 counts it as the database does) and
 * renews the contract. The whole successful lifecycle from an empty register, checked against the API
 * and the 工作台, is pages-caseworker-flow's. Roles that may not
 * write health records see no form; a POST without the CSRF token is 403.
 */
describe('pages: health records on the household page (issue 16)', () => {
  let t: TestApp;
  let db: DataSource;
  let base: string;
  let browser: Browser;
  let caseworker: string;
  let householdId: number;
  let head: Member;
  let spouse: Member;
  let majorId: number;

  beforeAll(async () => {
    // A database of its own: the 工作台 figures are compared with counts over the whole database.
    t = await createTestApp({}, { freshDatabase: true });
    t.clock.set('2020-04-15T02:00:00Z');
    db = t.app.get(DataSource);
    base = await serve(t);
    browser = await launchBrowser();
    caseworker = await t.login('caseworker');
    const input = householdInput({
      members: [
        { idNumber: newIdNumber('male'), name: '赵建民', relation: 'head' },
        { idNumber: newIdNumber('female'), name: '钱秀兰', relation: 'spouse' },
        { idNumber: newIdNumber('male'), name: '赵小军', relation: 'child' },
      ],
    });
    const created = await request(t.http).post('/api/households').set('Authorization', caseworker).send(input);
    expect(created.status).toBe(201);
    householdId = created.body.id;
    const members = created.body.members as Member[];
    head = members.find((m) => m.relation === 'head')!;
    spouse = members.find((m) => m.relation === 'spouse')!;
    // The spouse's major disease, confirmed and not yet treated (recorded through the API).
    const major = await request(t.http)
      .post(`/api/persons/${spouse.id}/conditions`)
      .set('Authorization', caseworker)
      .send({
        diseaseCode: 'esrd',
        diagnosedOn: '2020-02-01',
        treatmentCategory: 'concentrated',
        treatmentStatus: 'untreated',
        confirmedOn: '2020-02-10',
        hospital: '市第一人民医院',
      });
    expect(major.status).toBe(201);
    majorId = major.body.id;
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function as(username: string, width = 1280): Promise<{ context: BrowserContext; page: Page }> {
    const signed = await signedIn(browser, base, username, undefined, width);
    await signed.page.goto(`${base}/households/${householdId}`);
    return signed;
  }

  const block = (page: Page, member: Member) => page.locator(`#member-${member.id}`);
  const text = textOf;
  const open = openHealthForm;
  const submit = submitForm;

  it('refuses bad input in each form at its field; changes a treatment status; the 工作台 counts it', async () => {
    const { context, page } = await as('caseworker');

    // 新增患病 with a diagnosis date in the future: refused at the field, typed values kept, nothing written.
    let form = await open(block(page, head), '新增患病');
    await form.locator('select[name="diseaseCode"]').selectOption('hypertension');
    await form.locator('select[name="treatmentCategory"]').selectOption('contracted');
    await form.locator('input[name="diagnosedOn"]').fill('2030-06-01');
    expect(await submit(page, form)).toBe(400);
    form = block(page, head).locator('details.condition-form form');
    await expect(text(form.locator('label:has(input[name="diagnosedOn"]) .field-error'))).resolves.toBe(
      '确诊日期不能早于出生日期，也不能晚于今天。',
    );
    await expect(form.locator('input[name="diagnosedOn"]').inputValue()).resolves.toBe('2030-06-01');
    await expect(form.locator('select[name="diseaseCode"]').inputValue()).resolves.toBe('hypertension');
    expect(await db.getRepository(Condition).countBy({ personId: head.id })).toBe(0);
    await screenshot(page, 'health-refused-desktop');

    await form.locator('input[name="diagnosedOn"]').fill('2019-06-01');
    expect(await submit(page, form)).toBe(303);
    expect(page.url()).toBe(`${base}/households/${householdId}?health=condition-${head.id}#member-${head.id}`);
    await expect(text(block(page, head).locator('.health-done'))).resolves.toBe('已新增患病记录。');
    await expect(text(block(page, head).locator('table'))).resolves.toContain('高血压');

    // 家医签约 covering it (ticked already: no contract covers it yet).
    form = await open(block(page, head), '家医签约');
    await expect(form.locator('input[name="diseaseCodes"][value="hypertension"]').isChecked()).resolves.toBe(true);
    await form.locator('input[name="institution"]').fill('城关镇卫生院');
    await form.locator('input[name="doctorName"]').fill('李医生团队');
    await form.locator('input[name="signedOn"]').fill('2020-01-06');
    expect(await submit(page, form)).toBe(303);
    await expect(text(block(page, head).locator('.health-done'))).resolves.toBe('已签约家庭医生。');
    const contract = await db.getRepository(Contract).findOneByOrFail({ personId: head.id });

    // 随访登记: a reading whose diastolic is not below the systolic is refused at its field.
    form = await open(block(page, head), '随访登记');
    await form.locator('input[name="visitedOn"]').fill('2020-02-10');
    await form.locator('select[name="kind"]').selectOption('clinic');
    await form.locator('input[name="systolic"]').fill('120');
    await form.locator('input[name="diastolic"]').fill('130');
    expect(await submit(page, form)).toBe(400);
    form = block(page, head).locator('details.follow-up-form form');
    await expect(text(form.locator('label:has(input[name="diastolic"]) .field-error'))).resolves.toBe(
      '舒张压必须低于收缩压。',
    );
    expect(await db.getRepository(FollowUp).countBy({ contractId: contract.id })).toBe(0);
    await form.locator('input[name="systolic"]').fill('128');
    await form.locator('input[name="diastolic"]').fill('82');
    await form.locator('input[name="notes"]').fill('血压控制良好，按时服药');
    expect(await submit(page, form)).toBe(303);
    await expect(text(block(page, head).locator('.health-done'))).resolves.toBe('已登记随访。');
    form = await open(block(page, head), '随访登记');
    await form.locator('input[name="visitedOn"]').fill('2020-04-10');
    await form.locator('select[name="kind"]').selectOption('home');
    await form.locator('input[name="systolic"]').fill('165');
    await form.locator('input[name="diastolic"]').fill('98');
    expect(await submit(page, form)).toBe(303);
    const visits = block(page, head).locator('ul.follow-ups li');
    await expect(visits.count()).resolves.toBe(2);
    await expect(text(visits.nth(1))).resolves.toContain('血压 165/98 · 未控制');
    // An uncontrolled reading: the next follow-up within 14 days.
    await expect(text(block(page, head).locator('.contract'))).resolves.toContain('下次随访：2020年4月24日');

    // 变更救治状态 of the spouse's major disease: 放弃救治 needs a reason; then in treatment from April 1.
    form = await open(block(page, spouse), '变更救治状态');
    await form.locator('select[name="treatmentStatus"]').selectOption('declined');
    expect(await submit(page, form)).toBe(400);
    form = block(page, spouse).locator('details.treatment-form form');
    await expect(text(form.locator('label:has(input[name="declineReason"]) .field-error'))).resolves.toBe(
      '选择“放弃救治”时必须填写放弃原因。',
    );
    await form.locator('select[name="treatmentStatus"]').selectOption('in_treatment');
    await form.locator('input[name="treatmentStartedOn"]').fill('2020-04-01');
    expect(await submit(page, form)).toBe(303);
    await expect(text(block(page, spouse).locator('.health-done'))).resolves.toBe('已更新救治状态。');
    await expect(text(block(page, spouse).locator('table'))).resolves.toContain('2020年4月1日开始救治');
    await screenshot(page, 'health-recorded-desktop');
    await context.close();

    // The diagnosis, contract and follow-ups against the API and the 工作台 are pages-caseworker-flow's;
    // here, the treatment status on a populated register.
    const major = await db.getRepository(Condition).findOneByOrFail({ id: majorId });
    expect([major.treatmentStatus, major.treatmentStartedOn]).toEqual(['in_treatment', '2020-04-01']);
    const apiConditions = await request(t.http)
      .get(`/api/persons/${spouse.id}/conditions`)
      .set('Authorization', caseworker)
      .expect(200);
    expect(apiConditions.body.items).toEqual([
      expect.objectContaining({ id: majorId, treatmentStatus: major.treatmentStatus, version: major.version }),
    ]);
    // The 工作台 figures for the street: the page's row, the API's and counts from the database agree.
    const expected = (await oracleIndicators(db, TODAY))[SUBDISTRICT_A];
    const api = await request(t.http).get(`/api/stats/indicators?asOf=${TODAY}`).set('Authorization', caseworker);
    const street = (api.body.byRegion as { regionCode: string; name: string }[]).find(
      (r) => r.regionCode === SUBDISTRICT_A,
    )! as unknown as Record<string, { numerator: number; denominator: number }> & { name: string };
    const dashboard = await as('caseworker');
    const shown = await dashboardFigures(dashboard.page, base, street.name);
    await dashboard.context.close();
    expect(shown).toEqual(
      INDICATOR_DEFINITIONS.map((d) => `${expected[d.key].numerator}/${expected[d.key].denominator}`),
    );
    for (const d of INDICATOR_DEFINITIONS) {
      expect([street[d.key].numerator, street[d.key].denominator]).toEqual([
        expected[d.key].numerator,
        expected[d.key].denominator,
      ]);
    }
  });

  it('a stale treatment form says so and keeps what was typed', async () => {
    const { context, page } = await as('caseworker');
    const form = await open(block(page, spouse), '变更救治状态');
    // Someone else changes the condition after the page was read.
    await request(t.http)
      .patch(`/api/conditions/${majorId}`)
      .set('Authorization', caseworker)
      .send({
        hospital: '省人民医院',
        version: (await db.getRepository(Condition).findOneByOrFail({ id: majorId })).version,
      })
      .expect(200);
    await form.locator('select[name="treatmentStatus"]').selectOption('treated');
    await form.locator('input[name="declineReason"]').fill('');
    expect(await submit(page, form)).toBe(409);
    const again = block(page, spouse).locator('details.treatment-form');
    await expect(text(again.locator('.alert-error'))).resolves.toContain('已被他人修改');
    await expect(again.locator('select[name="treatmentStatus"]').inputValue()).resolves.toBe('treated');
    await expect(db.getRepository(Condition).findOneByOrFail({ id: majorId })).resolves.toMatchObject({
      treatmentStatus: 'in_treatment',
      hospital: '省人民医院',
    });
    await context.close();
  });

  it('renews the contract: the old one ends the day before, the new one continues its diseases', async () => {
    const { context, page } = await as('caseworker');
    const old = await db.getRepository(Contract).findOneByOrFail({ personId: head.id });
    let form = await open(block(page, head), '续签');
    await form.locator('input[name="signedOn"]').fill('2020-04-10');
    expect(await submit(page, form)).toBe(400);
    form = block(page, head).locator('details.renew-form form');
    await expect(text(form.locator('label:has(input[name="signedOn"]) .field-error'))).resolves.toBe(
      '续签日期必须晚于原签约最后一次随访的日期。',
    );
    await form.locator('input[name="signedOn"]').fill('2020-04-14');
    expect(await submit(page, form)).toBe(303);
    await expect(text(block(page, head).locator('.health-done'))).resolves.toBe('已续签，原签约同时终止。');
    // The old contract has no 续签 form any more; the new one has both forms.
    await expect(block(page, head).locator('details.renew-form').count()).resolves.toBe(1);
    await context.close();

    const renewed = await db.getRepository(Contract).findOneByOrFail({ renewedFromId: old.id });
    const api = await request(t.http)
      .get(`/api/contracts?personId=${head.id}`)
      .set('Authorization', caseworker)
      .expect(200);
    expect(api.body.items.map((c: Record<string, unknown>) => [c.id, c.status, c.endedOn, c.renewedById])).toEqual([
      [old.id, 'expired', '2020-04-13', renewed.id],
      [renewed.id, 'active', null, null],
    ]);
    expect(api.body.items[1]).toMatchObject({
      signedOn: '2020-04-14',
      validUntil: '2021-04-14',
      diseaseCodes: ['hypertension'],
      institution: old.institution,
      renewedFromId: old.id,
    });
    // Renewing the old contract again: with its old version, stale (409); with its new one, renewed already (409).
    for (const version of [old.version, old.version + 1]) {
      const res = await request(t.http)
        .post(`/api/contracts/${old.id}/renew`)
        .set('Authorization', caseworker)
        .send({ signedOn: TODAY, version })
        .expect(409);
      expect(res.body.message).toMatch(version === old.version ? /changed by someone else/ : /renewed already/);
    }
    expect(await db.getRepository(Contract).countBy({ personId: head.id })).toBe(2);
  });

  it('at phone width the forms fit: no sideways scrolling', async () => {
    const { context, page } = await as('caseworker', 390);
    await open(block(page, head), '随访登记');
    await open(block(page, head), '新增患病');
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'health-forms-phone');
    await context.close();
  });

  it.each(['officer1', 'insurance'])('%s reads the household page without any health form', async (who) => {
    const { context, page } = await as(who);
    await expect(block(page, head).locator('table').first().textContent()).resolves.toContain('高血压');
    await expect(page.locator('.member-health, details.health-form').count()).resolves.toBe(0);
    await context.close();
  });

  it('refuses a POST without the CSRF token (403), a role without the permission (403), a record of another household (404)', async () => {
    const agent = await pageLogin(t.http, 'caseworker');
    const csrf = csrfOf((await agent.get(`/households/${householdId}`).expect(200)).text);
    const path = `/households/${householdId}/persons/${head.id}/conditions`;
    const body = { diseaseCode: 'diabetes_t2', treatmentCategory: 'contracted', diagnosedOn: '2020-01-01' };
    await agent.post(path).type('form').send(body).expect(403);
    const officer = await pageLogin(t.http, 'officer1');
    const officerCsrf = csrfOf((await officer.get(`/households/${householdId}`).expect(200)).text);
    await officer
      .post(path)
      .type('form')
      .send({ ...body, _csrf: officerCsrf })
      .expect(403);
    // The spouse's condition through another household's page.
    const other = await request(t.http).post('/api/households').set('Authorization', caseworker).send(householdInput());
    await agent
      .post(`/households/${other.body.id}/conditions/${majorId}`)
      .type('form')
      .send({ treatmentStatus: 'treated', version: '9', _csrf: csrf })
      .expect(404);
    expect(await db.getRepository(Condition).countBy({ personId: head.id, diseaseCode: 'diabetes_t2' })).toBe(0);
  });
});
