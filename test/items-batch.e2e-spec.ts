import ExcelJS from 'exceljs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { householdInput, maskedId, newIdNumber, VILLAGE_A } from './factories/households.js';
import { type CampaignBody, newCampaign, unique } from './factories/items.js';
import { toCsv } from './factories/rosters.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

const HEADER = ['街道', '类别', '问题', '问题描述', '责任部门', '截止日期', '对象身份证号'];

/** Issue #16: POST /api/items/batch — a supervision group's findings, all filed or none. */
describe('API: a batch of findings (POST /api/items/batch)', () => {
  let t: TestApp;
  let db: DataSource;
  let admin: string;
  let campaign: CampaignBody;
  /** A person of 城关街道 (the household created here), by full ID number. */
  let personId: number;
  let idNumber: string;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2020-04-15T02:00:00Z');
    db = t.app.get(DataSource);
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    campaign = await newCampaign(t, admin, { name: `督导专项${unique()}`, deadline: '2020-05-31' });
    const household = householdInput({ regionCode: VILLAGE_A });
    idNumber = household.members[0].idNumber;
    const created = await request(t.http).post('/api/households').set('Authorization', admin).send(household);
    expect(created.status).toBe(201);
    personId = (created.body as { members: { id: number; name: string }[] }).members.find(
      (m) => m.name === household.members[0].name,
    )!.id;
  });

  afterAll(() => t.close());

  const upload = (token: string, body: Buffer, name: string, campaignId: number | string = campaign.id) =>
    request(t.http)
      .post('/api/items/batch')
      .set('Authorization', token)
      .field('campaignId', String(campaignId))
      .attach('file', body, name);
  const itemsOfCampaign = () =>
    db.getRepository(Item).find({ where: { campaignId: campaign.id }, order: { id: 'ASC' } });

  it('refuses a file with bad rows as a whole: 400 listing each row by line and column, nothing written', async () => {
    const csv = toCsv(HEADER, [
      ['城关街道', '慢病签约', `未签约${unique()}`, '', '卫健局', '2020-05-20', idNumber],
      ['610199002000', 'insurance', '参保信息有误', '', '', '', ''],
      ['西湖街道', '吃饭', '问题', '', '', '2020-02-30', ''],
      ['东塬街道', 'data', '对象所在街道不对', '', '', '', idNumber],
      ['城关街道', 'data', '查无此人', '', '', '', newIdNumber()],
    ]);
    const res = await upload(admin, Buffer.from(csv), 'findings.csv').expect(400);
    const body = res.body as {
      field: string;
      message: string;
      rows: { line: number; field: string; message: string }[];
    };
    expect(body.field).toBe('file');
    expect(body.message).toContain('第 4、5、6 行');
    expect(body.rows.map((r) => [r.line, r.field])).toEqual([
      [4, '街道'],
      [4, '类别'],
      [4, '截止日期'],
      [5, '对象身份证号'],
      [6, '对象身份证号'],
    ]);
    expect(body.rows[4].message).toMatch(/^没有身份证号为 \d{6}\*{8}\d{3}[\dX] 的人员/);
    // Never the full number back.
    expect(JSON.stringify(body)).not.toContain(idNumber);
    expect(await itemsOfCampaign()).toEqual([]);
  });

  it('files every row of a good XLSX file at once: 201 with the count, each item with its created entry', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('督导发现问题');
    sheet.addRow(HEADER);
    const titles = [`未签约${unique()}`, `参保信息有误${unique()}`, `已逾期${unique()}`];
    sheet.addRow(['城关街道', '慢病签约', titles[0], '入户核实', '卫健局', '2020-05-20', idNumber]);
    sheet.addRow(['610199002000', 'insurance', titles[1], '', '', '', '']);
    sheet.addRow(['城关街道', '分类救治', titles[2], '', '医保局', '2020/4/10', '']);
    const file = Buffer.from(await workbook.xlsx.writeBuffer());
    const res = await upload(admin, file, '督导发现问题.xlsx').expect(201);
    expect(res.body).toMatchObject({ count: 3 });
    const items = await itemsOfCampaign();
    expect(items.map((i) => [i.title, i.regionCode, i.category, i.responsibleDept, i.deadline])).toEqual([
      [titles[0], '610199001000', 'contract', 'health', '2020-05-20'],
      [titles[1], '610199002000', 'insurance', 'insurance', '2020-05-31'],
      [titles[2], '610199001000', 'treatment', 'insurance', '2020-04-10'],
    ]);
    expect(items.map((i) => (res.body as { itemIds: number[] }).itemIds.includes(i.id))).toEqual([true, true, true]);
    expect(items[0]).toMatchObject({ subjectType: 'person', subjectId: personId, source: 'inspection', openKey: null });
    expect(items[2].escalationLevel).toBe(3);
    const entries = await db
      .getRepository(LedgerEntry)
      .find({ where: items.map((i) => ({ itemId: i.id })), order: { itemId: 'ASC', seq: 'ASC' } });
    expect(entries.map((e) => [e.itemId, e.type])).toEqual([
      [items[0].id, 'created'],
      [items[1].id, 'created'],
      [items[2].id, 'created'],
      [items[2].id, 'escalated'],
    ]);
    // The created entry is the one a single filing writes.
    expect(JSON.parse(entries[0].payload!)).toEqual({
      campaignId: campaign.id,
      category: 'contract',
      title: titles[0],
      description: '入户核实',
      subjectType: 'person',
      subjectId: personId,
      regionCode: '610199001000',
      responsibleDept: 'health',
      deadline: '2020-05-20',
      source: 'inspection',
    });
    const single = await request(t.http).get(`/api/items/${items[0].id}`).set('Authorization', admin).expect(200);
    expect(single.body).toMatchObject({ subjectIdNumber: maskedId(idNumber) });
    const verify = await request(t.http)
      .get(`/api/items/${items[0].id}/ledger/verify`)
      .set('Authorization', admin)
      .expect(200);
    expect(verify.body).toMatchObject({ valid: true });
  });

  it('names the campaign when it is missing or unknown, and refuses roles that may not file items', async () => {
    const csv = Buffer.from(toCsv(HEADER, [['城关街道', 'data', '信息不全', '', '', '', '']]));
    const missing = await upload(admin, csv, 'a.csv', '').expect(400);
    expect(JSON.stringify(missing.body)).toContain('campaignId');
    const unknown = await upload(admin, csv, 'a.csv', 999_999_999).expect(400);
    expect(unknown.body).toMatchObject({ field: 'campaignId' });
    await upload(await t.login('officer1'), csv, 'a.csv').expect(403);
    const header = await upload(admin, Buffer.from(toCsv(['街道', '问题'], [['城关街道', 'x']])), 'a.csv').expect(400);
    expect(header.body).toMatchObject({ field: 'file', message: expect.stringContaining('缺少') });
  });

  it('hands out the template: the columns on the first sheet, an example row beside them', async () => {
    const res = await request(t.http)
      .get('/api/items/batch/template?format=xlsx')
      .set('Authorization', admin)
      .buffer(true)
      .parse((r, done) => {
        const parts: Buffer[] = [];
        r.on('data', (c: Buffer) => parts.push(c));
        r.on('end', () => done(null, Buffer.concat(parts)));
      })
      .expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body);
    const [first, example] = workbook.worksheets;
    expect((first.getRow(1).values as unknown[]).slice(1)).toEqual(HEADER);
    expect(first.rowCount).toBe(1);
    expect((example.getRow(2).values as unknown[]).slice(1)).toHaveLength(HEADER.length);
  });
});
