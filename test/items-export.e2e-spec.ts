import { jest } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { inTransaction } from '../src/database/transaction.js';
import { Person } from '../src/households/person.entity.js';
import { Region } from '../src/regions/region.entity.js';
import { User } from '../src/auth/user.entity.js';
import { Household } from '../src/households/household.entity.js';
import { Attachment } from '../src/ledger/attachment.entity.js';
import { Campaign } from '../src/ledger/campaign.entity.js';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { ItemsService } from '../src/ledger/items.service.js';
import { householdInput, SUBDISTRICT_A, SUBDISTRICT_B, VILLAGE_A, VILLAGE_B } from './factories/households.js';
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
  '村(社区)',
  '责任部门',
  '责任人',
  '责任人电话(脱敏)',
  '对象',
  '身份证号(脱敏)',
  '截止日期',
  '期限情况',
  '状态',
  '预警级别',
  '最新整改进展',
  '整改情况',
  '佐证材料(份)',
  '销号时间',
  '逾期销号',
];
const col = (header: string): number => HEADERS.indexOf(header);

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
    // Closed here means closed (销号审核 has its own tests): the campaign closes without review.
    await t.app.get(DataSource).getRepository(Campaign).update(campaign.id, { closeReview: false });
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
      '村(社区)': '柳树村',
      责任部门: '卫健局',
      责任人: '',
      '责任人电话(脱敏)': '',
      对象: '测试户主',
      '身份证号(脱敏)': `${fullIdNumber.slice(0, 6)}********${fullIdNumber.slice(14)}`,
      截止日期: '2020-05-31',
      期限情况: '',
      状态: '已销号',
      预警级别: '正常',
      最新整改进展: '',
      整改情况: '已签约并完成首次随访',
      '佐证材料(份)': '0',
      销号时间: '2020-05-20 16:30',
      逾期销号: '',
    });
    expect(rows[2].slice(0, 4)).toEqual(['2', String(open.id), campaign.name, '基本医保']);
    expect(rows[2][col('责任部门')]).toBe('医保局');
    expect(rows[2][col('期限情况')]).toBe('剩余 46 天');
    expect(rows[2][col('状态')]).toBe('待整改');
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
    expect(first[col('身份证号(脱敏)')]).toBe(`${fullIdNumber.slice(0, 6)}********${fullIdNumber.slice(14)}`);
    expect(first[col('状态')]).toBe('已销号');
    expect(first[col('村(社区)')]).toBe('柳树村');
    expect(first[col('佐证材料(份)')]).toBe(0);
    expect(values(3)[col('期限情况')]).toBe('剩余 46 天');
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

  describe('issue 15: 待审核, 逾期销号, the village, 责任人, the latest progress note and the evidence', () => {
    let db: DataSource;
    let review: { id: number; name: string };
    let uploader: number;
    /** Items of the campaign `review` by what they stand for. */
    const ids: Record<'pending' | 'late' | 'moved' | 'bare', number> = { pending: 0, late: 0, moved: 0, bare: 0 };
    let pendingHousehold: { members: { name: string }[] };

    const STATUS = { open: '待整改', in_progress: '整改中', pending_review: '待审核', closed: '已销号' };

    /** A household through the API in `regionCode`. */
    const household = async (regionCode: string) =>
      (
        await request(t.http)
          .post('/api/households')
          .set('Authorization', caseworker)
          .send(householdInput({ regionCode }))
          .expect(201)
      ).body as { id: number; members: { id: number; name: string }[] };

    const note = (id: number, text: string) =>
      request(t.http)
        .post(`/api/items/${id}/progress`)
        .set('Authorization', caseworker)
        .send({ note: text })
        .expect(200);

    const attach = (itemId: number, n: number) =>
      db.getRepository(Attachment).insert(
        Array.from({ length: n }, (_, k) => ({
          itemId,
          sha256: `${unique()}${k}`.padEnd(64, '0').slice(0, 64),
          name: `照片${k + 1}.jpg`,
          type: 'image/jpeg' as const,
          size: 1024,
          uploadedById: uploader,
        })),
      );

    beforeAll(async () => {
      db = t.app.get(DataSource);
      uploader = (await db.getRepository(User).findOneByOrFail({ username: 'caseworker' })).id;
      review = await newCampaign(t, await t.login('admin', TEST_ADMIN_PASSWORD));
      await db.getRepository(Campaign).update(review.id, { closeReview: false });
      t.clock.set('2020-04-15T02:00:00Z');

      // 待审核: a person in 柳树村, two progress notes (the second names the person), two photos, a 责任人.
      const inVillageA = await household(VILLAGE_A);
      pendingHousehold = inVillageA;
      const pending = await newItem(t, caseworker, review.id, {
        subjectType: 'person',
        subjectId: inVillageA.members[0].id,
        title: '慢病患者未签约',
      });
      ids.pending = pending.id;
      await note(pending.id, '已上门核实情况');
      await note(pending.id, `已联系${inVillageA.members[0].name}，约定本周签约`);
      await attach(pending.id, 2);
      // The close request of the review workflow, as its API leaves the item.
      await db.getRepository(Item).update(pending.id, {
        status: 'pending_review',
        resolution: '已签约，附签约照片',
        closeRequestedAt: new Date('2020-05-20T02:00:00Z'),
        closeRequestedById: uploader,
        assigneeName: '王建国',
        assigneePhone: '13812345678',
      });

      // 逾期销号: closed two days after the deadline, one photo.
      const late = await newItem(t, caseworker, review.id, { title: '信息数据不一致' });
      ids.late = late.id;
      await note(late.id, '正在逐户比对');
      await attach(late.id, 1);
      t.clock.set('2020-06-02T02:00:00Z');
      await request(t.http)
        .post(`/api/items/${late.id}/close`)
        .set('Authorization', caseworker)
        .send({ resolution: '已比对更正', version: 1 })
        .expect(200);
      t.clock.set('2020-04-15T02:00:00Z');

      // An item of 城关街道 (officer1's) about a household that has since moved to 东塬街道 (officer2's).
      const movedHousehold = await household(VILLAGE_A);
      const moved = await newItem(t, caseworker, review.id, { subjectType: 'household', subjectId: movedHousehold.id });
      await db.getRepository(Household).update(movedHousehold.id, { regionCode: VILLAGE_B });
      ids.moved = moved.id;
      await db.getRepository(Item).update(moved.id, { assigneeName: '李四', assigneePhone: '0917-3214567' });

      // Nothing at all: no subject, no note, no evidence, no 责任人.
      ids.bare = (await newItem(t, caseworker, review.id, { regionCode: SUBDISTRICT_B })).id;
    });

    afterAll(() => t.clock.set('2020-04-15T02:00:00Z'));

    const csvOf = async (token: string, query: Record<string, string | number> = {}) => {
      const res = await download('csv', token, { campaignId: review.id, ...query }).expect(200);
      const rows: string[][] = parse((res.body as Buffer).toString('utf8'), { bom: true });
      expect(rows[0]).toEqual(HEADERS);
      return new Map(rows.slice(1).map((r) => [Number(r[col('问题编号')]), r]));
    };

    /**
     * What the database says each new column holds for an item, read row by row here (the oracle):
     * the status label, 逾期销号, the subject household's village, the latest progress note, the
     * attachments. The 责任人 columns are checked against what the test wrote.
     */
    async function oracle(id: number) {
      const item = await db.getRepository(Item).findOneByOrFail({ id });
      let householdId: number | null = null;
      if (item.subjectType === 'household') {
        householdId = item.subjectId;
      } else if (item.subjectType === 'person') {
        householdId = (await db.getRepository(Person).findOneByOrFail({ id: item.subjectId! })).householdId;
      }
      const regionCode = householdId
        ? (await db.getRepository(Household).findOneByOrFail({ id: householdId })).regionCode
        : null;
      const region = regionCode ? await db.getRepository(Region).findOneBy({ code: regionCode }) : null;
      const latest = await db
        .getRepository(LedgerEntry)
        .findOne({ where: { itemId: id, type: 'progress' }, order: { seq: 'DESC' } });
      return {
        status: STATUS[item.status],
        late: item.status === 'closed' && item.closedOn! > item.deadline ? '是' : '',
        village: region?.level === 'village' ? region.name : '',
        villageCode: region?.level === 'village' ? region.code : null,
        progress: latest?.note ?? '',
        evidence: String(await db.getRepository(Attachment).countBy({ itemId: id })),
      };
    }

    it('CSV: every new column agrees with the database, the phone keeps its last four digits', async () => {
      const rows = await csvOf(caseworker);
      expect([...rows.keys()].sort((a, b) => a - b)).toEqual(Object.values(ids).sort((a, b) => a - b));
      for (const id of Object.values(ids)) {
        const expected = await oracle(id);
        const row = rows.get(id)!;
        expect({
          status: row[col('状态')],
          late: row[col('逾期销号')],
          village: row[col('村(社区)')],
          progress: row[col('最新整改进展')],
          evidence: row[col('佐证材料(份)')],
        }).toEqual({
          status: expected.status,
          late: expected.late,
          village: expected.village,
          progress: expected.progress,
          evidence: expected.evidence,
        });
      }
      // The oracle is not vacuous: each case is what the test made.
      const pending = rows.get(ids.pending)!;
      expect(pending[col('状态')]).toBe('待审核');
      expect(pending[col('村(社区)')]).toBe('柳树村');
      expect(pending[col('最新整改进展')]).toBe(`已联系${pendingHousehold.members[0].name}，约定本周签约`);
      expect(pending[col('佐证材料(份)')]).toBe('2');
      expect(pending[col('责任人')]).toBe('王建国');
      expect(pending[col('责任人电话(脱敏)')]).toBe('138****5678');
      expect(pending[col('逾期销号')]).toBe('');
      expect(pending[col('销号时间')]).toBe('');
      const late = rows.get(ids.late)!;
      expect([late[col('状态')], late[col('逾期销号')], late[col('佐证材料(份)')]]).toEqual(['已销号', '是', '1']);
      expect(late[col('最新整改进展')]).toBe('正在逐户比对');
      expect(late[col('销号时间')]).toBe('2020-06-02 10:00');
      const moved = rows.get(ids.moved)!;
      expect(moved[col('村(社区)')]).toBe('东塬村');
      expect(moved[col('责任人电话(脱敏)')]).toBe('0917-****4567');
      const bare = rows.get(ids.bare)!;
      expect([
        bare[col('村(社区)')],
        bare[col('责任人')],
        bare[col('最新整改进展')],
        bare[col('佐证材料(份)')],
      ]).toEqual(['', '', '', '0']);
      const text = [...rows.values()].flat().join(',');
      expect(text).not.toContain('13812345678');
      expect(text).not.toContain('3214567');
    });

    it('the status filter takes 待审核; XLSX holds the same cells', async () => {
      const pendingOnly = await csvOf(caseworker, { status: 'pending_review' });
      expect([...pendingOnly.keys()]).toEqual([ids.pending]);
      const notClosed = await csvOf(caseworker, { closed: 'false' });
      expect(notClosed.has(ids.pending)).toBe(true);
      expect(notClosed.has(ids.late)).toBe(false);

      const res = await download('xlsx', caseworker, { campaignId: review.id }).expect(200);
      const sheet = (await readXlsx(res.body as Buffer)).getWorksheet('整改台账')!;
      const rows = new Map<number, unknown[]>();
      sheet.eachRow((r, n) => {
        if (n > 1) {
          const values = (r.values as unknown[]).slice(1);
          rows.set(Number(values[col('问题编号')]), values);
        }
      });
      const pending = rows.get(ids.pending)!;
      expect(pending[col('状态')]).toBe('待审核');
      expect(pending[col('村(社区)')]).toBe('柳树村');
      expect(pending[col('佐证材料(份)')]).toBe(2);
      expect(pending[col('责任人电话(脱敏)')]).toBe('138****5678');
      expect(rows.get(ids.late)![col('逾期销号')]).toBe('是');
    });

    it('the leadership reads the progress note without the resident’s name; an officer not the village of another street', async () => {
      const leader = await csvOf(await t.login('leader'));
      const pending = leader.get(ids.pending)!;
      expect(pending[col('最新整改进展')]).toBe('已联系某某，约定本周签约');
      expect(pending[col('责任人')]).toBe('王建国');
      expect(pending[col('责任人电话(脱敏)')]).toBe('138****5678');
      expect(pending[col('村(社区)')]).toBe('柳树村');

      const officer = await csvOf(await t.login('officer1'));
      expect([...officer.keys()].sort((a, b) => a - b)).toEqual(
        [ids.pending, ids.late, ids.moved].sort((a, b) => a - b),
      );
      expect(officer.get(ids.pending)![col('村(社区)')]).toBe('柳树村');
      // The household lies in 东塬街道 now: officer1 learns nothing of where.
      expect((await oracle(ids.moved)).villageCode).toBe(VILLAGE_B);
      expect(officer.get(ids.moved)![col('村(社区)')]).toBe('');
      expect(officer.get(ids.moved)![col('对象')]).toBe('');
    });

    it('reads the new columns set-based: as many queries for forty items as for four', async () => {
      const bigger = await newCampaign(t, await t.login('admin', TEST_ADMIN_PASSWORD));
      const small = await newCampaign(t, await t.login('admin', TEST_ADMIN_PASSWORD));
      const fill = async (campaignId: number, n: number) => {
        for (let k = 0; k < n; k++) {
          const h = await household(VILLAGE_A);
          const item = await newItem(t, caseworker, campaignId, {
            subjectType: k % 2 ? 'household' : 'person',
            subjectId: k % 2 ? h.id : h.members[0].id,
          });
          await note(item.id, `进展${k}`);
          await attach(item.id, 1 + (k % 3));
        }
      };
      await fill(small.id, 4);
      await fill(bigger.id, 40);
      const runner = db.createQueryRunner();
      const proto = Object.getPrototypeOf(runner) as { query: (...args: unknown[]) => Promise<unknown> };
      await runner.release();
      const spy = jest.spyOn(proto, 'query');
      const leader = await t.login('leader');
      const count = async (campaignId: number, rows: number) => {
        spy.mockClear();
        const res = await download('csv', leader, { campaignId }).expect(200);
        expect(parse((res.body as Buffer).toString('utf8'), { bom: true })).toHaveLength(rows + 1);
        return spy.mock.calls.length;
      };
      try {
        const few = await count(small.id, 4);
        const many = await count(bigger.id, 40);
        expect(few).toBeGreaterThan(0);
        expect(many).toBe(few);
      } finally {
        spy.mockRestore();
      }
    });
  });
});
