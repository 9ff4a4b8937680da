import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { inTransaction } from '../src/database/transaction.js';
import { Person } from '../src/households/person.entity.js';
import { ItemsService } from '../src/ledger/items.service.js';
import { householdInput, SUBDISTRICT_A, SUBDISTRICT_B, VILLAGE_A } from './factories/households.js';
import { newCampaign, newItem, unique } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

const HEADERS = [
  '序号',
  '问题编号',
  '整改专项',
  '类别',
  '问题',
  '问题描述',
  '问题来源',
  '责任街道',
  '责任部门',
  '对象',
  '身份证号(脱敏)',
  '截止日期',
  '期限情况',
  '状态',
  '预警级别',
  '整改情况',
  '销号时间',
  '逾期销号',
];

/** Collects a binary response body as a Buffer. */
const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
  const parts: Buffer[] = [];
  res.on('data', (part: Buffer) => parts.push(part));
  res.on('end', () => done(null, Buffer.concat(parts)));
};

async function readXlsx(body: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  // exceljs types its input as its own Buffer interface; a Node Buffer is what it reads at run time.
  await workbook.xlsx.load(body as unknown as ExcelJS.Buffer);
  return workbook;
}

describe('the 台账 export (CSV and XLSX)', () => {
  let t: TestApp;
  let caseworker: string;
  let campaign: { id: number; name: string };
  let fullIdNumber: string;
  let closed: { id: number; title: string };
  let open: { id: number };

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    campaign = await newCampaign(t, admin);
    const household = await request(t.http)
      .post('/api/households')
      .set('Authorization', caseworker)
      .send(householdInput({ regionCode: VILLAGE_A }))
      .expect(201);
    const person = household.body.members[0];
    fullIdNumber = (await t.app.get(DataSource).getRepository(Person).findOneByOrFail({ id: person.id })).idNumber;
    closed = await newItem(t, caseworker, campaign.id, {
      regionCode: undefined,
      subjectType: 'person',
      subjectId: person.id,
      title: '=HYPERLINK("http://x")',
      description: '高血压患者未签约',
    });
    t.clock.set('2020-05-20T08:30:00Z');
    await request(t.http)
      .post(`/api/items/${closed.id}/close`)
      .set('Authorization', caseworker)
      .send({ resolution: '已签约并完成首次随访', version: 1 })
      .expect(200);
    t.clock.set('2020-04-15T02:00:00Z');
    open = await newItem(t, caseworker, campaign.id, { regionCode: SUBDISTRICT_B, category: 'insurance' });
  });

  afterAll(() => t.close());

  const download = (format: string, token = caseworker, query: Record<string, string | number> = {}) =>
    request(t.http)
      .get('/api/items/export')
      .set('Authorization', token)
      .query({ format, campaignId: campaign.id, ...query })
      .buffer(true)
      .parse(binary);

  it('CSV: UTF-8 with BOM, Chinese headers and labels, masked ID, a dated file name', async () => {
    const res = await download('csv').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="????-20200415.csv"; filename*=UTF-8''${encodeURIComponent('整改台账-20200415.csv')}`,
    );
    const body = res.body as Buffer;
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = body.toString('utf8');
    expect(text).not.toContain(fullIdNumber);
    const rows: string[][] = parse(text, { bom: true });
    expect(rows[0]).toEqual(HEADERS);
    expect(rows).toHaveLength(3);
    const row = Object.fromEntries(HEADERS.map((h, i) => [h, rows[1][i]]));
    expect(row).toEqual({
      序号: '1',
      问题编号: String(closed.id),
      整改专项: campaign.name,
      类别: '慢病签约',
      // A cell that Excel would run as a formula stays text.
      问题: `'=HYPERLINK("http://x")`,
      问题描述: '高血压患者未签约',
      问题来源: '督导检查',
      责任街道: '城关街道',
      责任部门: '卫健局',
      对象: '测试户主',
      '身份证号(脱敏)': `${fullIdNumber.slice(0, 6)}********${fullIdNumber.slice(14)}`,
      截止日期: '2020-05-31',
      期限情况: '',
      状态: '已销号',
      预警级别: '正常',
      整改情况: '已签约并完成首次随访',
      销号时间: '2020-05-20 16:30',
      逾期销号: '',
    });
    expect(rows[2].slice(0, 4)).toEqual(['2', String(open.id), campaign.name, '基本医保']);
    expect(rows[2][8]).toBe('医保局');
    expect(rows[2][12]).toBe('剩余 46 天');
    expect(rows[2][13]).toBe('待整改');
  });

  it('XLSX: opens in exceljs with the same headers, values and masking', async () => {
    const res = await download('xlsx').expect(200);
    expect(res.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers['content-disposition']).toContain(
      `filename*=UTF-8''${encodeURIComponent('整改台账-20200415.xlsx')}`,
    );
    const workbook = await readXlsx(res.body as Buffer);
    const sheet = workbook.getWorksheet('整改台账')!;
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual(HEADERS);
    expect(sheet.rowCount).toBe(3);
    const first = values(2);
    expect(first.slice(0, 5)).toEqual([1, closed.id, campaign.name, '慢病签约', '=HYPERLINK("http://x")']);
    expect(first[10]).toBe(`${fullIdNumber.slice(0, 6)}********${fullIdNumber.slice(14)}`);
    expect(first[13]).toBe('已销号');
    expect(values(3)[12]).toBe('剩余 46 天');
    expect(JSON.stringify(first)).not.toContain(fullIdNumber);
  });

  it('applies the list filters and an officer’s scope', async () => {
    const own = await download('csv', await t.login('officer1')).expect(200);
    const ownRows: string[][] = parse((own.body as Buffer).toString('utf8'), { bom: true });
    expect(ownRows.slice(1).map((r) => r[1])).toEqual([String(closed.id)]);
    const neighbour = await download('csv', await t.login('officer1'), { regionCode: SUBDISTRICT_B }).expect(200);
    expect(parse((neighbour.body as Buffer).toString('utf8'), { bom: true })).toHaveLength(1);
    const openOnly = await download('csv', caseworker, { status: 'open' }).expect(200);
    const openRows: string[][] = parse((openOnly.body as Buffer).toString('utf8'), { bom: true });
    expect(openRows.slice(1).map((r) => r[1])).toEqual([String(open.id)]);
    await download('pdf').expect(400);
    await request(t.http).get('/api/items/export').query({ pageSize: 5 }).expect(401);
  });

  it('streams more rows than one batch, in id order, numbered throughout', async () => {
    const bulk = await newCampaign(t, await t.login('admin', TEST_ADMIN_PASSWORD));
    const keys = Array.from({ length: 1203 }, () => `test_export:${unique()}`);
    await inTransaction(t.app.get(DataSource), (em) =>
      t.app.get(ItemsService).createMany(
        em,
        keys.map((dedupeKey, i) => ({
          campaignId: bulk.id,
          category: 'data' as const,
          title: `批量问题${i}`,
          regionCode: i % 2 ? SUBDISTRICT_A : SUBDISTRICT_B,
          responsibleDept: 'health' as const,
          source: 'check' as const,
          dedupeKey,
        })),
        { id: null, name: '测试' },
      ),
    );
    const csv = await download('csv', caseworker, { campaignId: bulk.id }).expect(200);
    const rows: string[][] = parse((csv.body as Buffer).toString('utf8'), { bom: true });
    expect(rows).toHaveLength(1204);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(keys.map((_, i) => i + 1));
    const ids = rows.slice(1).map((r) => Number(r[1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(1203);

    const xlsx = await download('xlsx', caseworker, { campaignId: bulk.id }).expect(200);
    const workbook = await readXlsx(xlsx.body as Buffer);
    expect(workbook.getWorksheet('整改台账')!.rowCount).toBe(1204);
  });
});
