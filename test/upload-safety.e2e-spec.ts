import ExcelJS from 'exceljs';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { idCheckChar } from '../src/common/id-number.js';
import { ImportJob } from '../src/imports/import-job.entity.js';
import { Person } from '../src/households/person.entity.js';
import { newIdNumber, newRegistryNo, VILLAGE_A } from './factories/households.js';
import { HOUSEHOLD_HEADER, INSURANCE_HEADER, toCsv, waitUntilFinished } from './factories/rosters.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { csrfOf, pageLogin } from './utils/pages.js';

/** The same number with a wrong check character. */
const badCheck = (id: string): string => id.slice(0, 17) + (idCheckChar(id.slice(0, 17)) === '0' ? '1' : '0');

/** 100 000 rows of one ID number, each its own household: the 8 MB file that froze the app (issue #12). */
function oneNumberRoster(rows = 100_000): string {
  const id = newIdNumber();
  const tag = newRegistryNo();
  const lines = [HOUSEHOLD_HEADER.join(',')];
  for (let i = 0; i < rows; i++) {
    lines.push(`${tag}-${i},${VILLAGE_A},因病,poor,2016,${id},某人${i % 100},户主`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * A workbook with the header, `ordinary` copies of a row, then 200 rows holding one cell each in
 * column XFD (generated, no fixture).
 */
async function sparseWorkbook(header: string[], row: (string | number)[], ordinary: number): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('花名册');
  sheet.addRow(header);
  for (let i = 0; i < ordinary; i++) {
    sheet.addRow(row);
  }
  const sparseFrom = ordinary + 2;
  for (let r = sparseFrom; r < sparseFrom + 200; r++) {
    sheet.getRow(r).getCell(16_384).value = '1';
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe('uploads that froze or bloated the server, and what their messages may say (issue #12)', () => {
  let t: TestApp;
  let caseworker: string;
  let insurance: string;

  beforeAll(async () => {
    t = await createTestApp();
    caseworker = await t.login('caseworker');
    insurance = await t.login('insurance');
  });

  afterAll(() => t.close());

  const importFile = (content: string | Buffer, name = 'roster.csv') =>
    request(t.http).post('/api/imports/households').set('Authorization', caseworker).attach('file', content, name);
  const reconcileFile = (content: string | Buffer, name = 'insurance.csv') =>
    request(t.http)
      .post('/api/reconciliations')
      .set('Authorization', insurance)
      .field('year', '2020')
      .attach('file', content, name);

  it('imports 100 000 rows of one ID number with bounded messages, answering health checks all the while', async () => {
    const res = await importFile(Buffer.from(oneNumberRoster())).expect(202);
    const url = `/api/imports/${res.body.id}`;
    // Health checks one after another while the job runs: each must be answered before the job ends.
    let answeredWhileRunning = 0;
    let job: Record<string, unknown>;
    for (;;) {
      job = (await request(t.http).get(url).set('Authorization', caseworker).expect(200)).body;
      if (job.status !== 'queued' && job.status !== 'running') {
        break;
      }
      await request(t.http).get('/api/health').expect(200);
      answeredWhileRunning++;
    }
    expect(job).toMatchObject({ status: 'done', rowsTotal: 100_000, rejected: 100_000, errorsOmitted: 99_000 });
    expect(answeredWhileRunning).toBeGreaterThanOrEqual(3);
    const listed = (await request(t.http).get(`${url}?pageSize=200`).set('Authorization', caseworker).expect(200)).body
      .errors;
    expect(listed.total).toBe(1000);
    expect(listed.items[0]).toMatchObject({ line: 2, reason: '身份证号在第 3 行等 99999 行再次出现' });
    expect(listed.items[1]).toMatchObject({ line: 3, reason: '身份证号与第 2 行重复' });
    const csv = await request(t.http).get(`${url}/errors.csv`).set('Authorization', caseworker).expect(200);
    expect(csv.text.length).toBeLessThan(200_000);
    expect(csv.text.trimEnd().split('\n').at(-1)).toContain('另有 99000 条错误未列出（每次导入最多列出 1000 条）');
  });

  it('refuses a sparse workbook reaching column XFD at upload (imports and reconciliations)', async () => {
    const roster = await sparseWorkbook(HOUSEHOLD_HEADER, [], 0);
    const refused = await importFile(roster, 'sparse.xlsx').expect(400);
    expect(refused.body).toMatchObject({
      field: 'file',
      message: expect.stringMatching(/^第 2 行用到了第 16384 列，花名册最多 64 列/),
    });
    const insured = await sparseWorkbook(INSURANCE_HEADER, [], 0);
    const rec = await reconcileFile(insured, 'sparse.xlsx').expect(400);
    expect(rec.body).toMatchObject({ field: 'file', message: expect.stringMatching(/^第 2 行用到了第 16384 列/) });
  });

  it('fails the job at the first row reaching column XFD when the rows the upload check read were ordinary', async () => {
    const head = newIdNumber();
    // Past the first batch of rows (which the upload check reads), the job meets the sparse ones.
    const roster = await sparseWorkbook(
      HOUSEHOLD_HEADER,
      [newRegistryNo(), VILLAGE_A, '因病', 'poor', 2016, head, '某人', '户主'],
      1500,
    );
    const accepted = await importFile(roster, 'sparse.xlsx').expect(202);
    const job = await waitUntilFinished(t, caseworker, `/api/imports/${accepted.body.id}`);
    expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/^第 1502 行用到了第 16384 列/) });
    const insured = await sparseWorkbook(INSURANCE_HEADER, [head, '某人', 2020, '是', '否'], 1500);
    const rec = await reconcileFile(insured, 'sparse.xlsx').expect(202);
    const done = await waitUntilFinished(t, insurance, `/api/reconciliations/${rec.body.id}`);
    expect(done).toMatchObject({ status: 'failed', error: expect.stringMatching(/^第 1502 行用到了第 16384 列/) });
  });

  describe('full ID numbers in what users read back', () => {
    let person: Person;

    beforeAll(async () => {
      person = await t.app
        .get(DataSource)
        .getRepository(Person)
        .findOneOrFail({ where: {}, order: { id: 'ASC' } });
    });

    const masked = () => `${person.idNumber.slice(0, 6)}********${person.idNumber.slice(-4)}`;

    it('masks an ID number quoted in a row error: API, page and errors.csv', async () => {
      const res = await importFile(
        Buffer.from(
          toCsv(HOUSEHOLD_HEADER, [
            [newRegistryNo(), person.idNumber, '因病', 'poor', 2016, newIdNumber(), '某人', '户主'],
            [person.idNumber, VILLAGE_A, '因病', 'poor', 2016, badCheck(newIdNumber()), '某人', '户主'],
          ]),
        ),
      ).expect(202);
      const job = await waitUntilFinished(t, caseworker, `/api/imports/${res.body.id}`);
      expect(job).toMatchObject({ status: 'done', rejected: 2 });
      const api = await request(t.http).get(`/api/imports/${res.body.id}`).set('Authorization', caseworker);
      expect(api.body.errors.items).toEqual([
        expect.objectContaining({
          line: 2,
          reason: `区划代码“${masked()}”不是已知的村（社区）或街道（乡镇）`,
        }),
        expect.objectContaining({ line: 3, registryNo: masked(), reason: '身份证号校验位错误（GB 11643-1999）' }),
      ]);
      const page = await (await pageLogin(t.http, 'caseworker')).get(`/imports/${res.body.id}`).expect(200);
      const csv = await request(t.http).get(`/api/imports/${res.body.id}/errors.csv`).set('Authorization', caseworker);
      for (const body of [JSON.stringify(api.body), page.text, csv.text]) {
        expect(body).toContain(masked());
        expect(body).not.toContain(person.idNumber);
      }
    });

    it('masks an ID number in a header message and in skipped roster rows shown to insurance staff', async () => {
      const headerless = await importFile(
        Buffer.from(toCsv([person.idNumber, VILLAGE_A, '因病'], [['x', 'y', 'z']])),
      ).expect(400);
      expect(headerless.body.message).toMatch(/^表头不正确，缺少“户编号”/);
      expect(headerless.body.message).toContain(`文件的第一行是：${masked()},${VILLAGE_A},因病`);
      expect(JSON.stringify(headerless.body)).not.toContain(person.idNumber);
      const rec = await reconcileFile(
        Buffer.from(toCsv(INSURANCE_HEADER, [[person.idNumber, person.name, person.idNumber, '是', '否']])),
      ).expect(202);
      const done = await waitUntilFinished(t, insurance, `/api/reconciliations/${rec.body.id}`);
      expect(done.skipped).toEqual([{ line: 2, field: 'year', reason: `年度“${masked()}”不是年份` }]);
      const page = await (await pageLogin(t.http, 'insurance')).get(`/reconciliations/${rec.body.id}`).expect(200);
      expect(page.text).not.toContain(person.idNumber);
    });
  });
});

describe('取消导入: a cancelled import stops between batches and is never resumed (issue #12)', () => {
  it('stops at the next batch, survives a restart as cancelled, and cannot be resumed', async () => {
    const a = await createTestApp();
    let jobId: number;
    let stoppedAt: ImportJob;
    try {
      const caseworker = await a.login('caseworker');
      const accepted = await request(a.http)
        .post('/api/imports/households')
        .set('Authorization', caseworker)
        .attach('file', Buffer.from(oneNumberRoster()), 'roster.csv')
        .expect(202);
      jobId = accepted.body.id;
      // The page's button (a CSRF form) while the job runs.
      const agent = await pageLogin(a.http, 'caseworker');
      const page = await agent.get(`/imports/${jobId}`).expect(200);
      expect(page.text).toContain(`action="/imports/${jobId}/cancel"`);
      expect(page.text).toContain('取消导入');
      await agent.post(`/imports/${jobId}/cancel`).type('form').send({}).expect(403);
      const cancelled = await agent
        .post(`/imports/${jobId}/cancel`)
        .type('form')
        .send({ _csrf: csrfOf(page.text) })
        .expect(303);
      expect(cancelled.headers.location).toBe(`/imports/${jobId}`);
      expect((await agent.get(`/imports/${jobId}`).expect(200)).text).toContain('已取消');
    } finally {
      // Closing waits for the run in progress: it must stop at its next batch, not finish the file.
      await a.close();
    }
    const b = await createTestApp(a.config.DB_TYPE === 'sqlite' ? { DB_PATH: a.config.DB_PATH } : {});
    try {
      const repo = b.app.get(DataSource).getRepository(ImportJob);
      stoppedAt = await repo.findOneByOrFail({ id: jobId });
      expect(stoppedAt).toMatchObject({ status: 'cancelled', runToken: null });
      expect(stoppedAt.rowsRead).toBeLessThan(100_000);
      // Started again (b resumed whatever was queued or running): the cancelled import stays as it was.
      const caseworker = await b.login('caseworker');
      const resume = await request(b.http)
        .post(`/api/imports/${jobId}/resume`)
        .set('Authorization', caseworker)
        .expect(409);
      expect(resume.body.message).toBe(`导入 #${jobId} 已取消，无需继续`);
      await request(b.http).post(`/api/imports/${jobId}/cancel`).set('Authorization', caseworker).expect(409);
      await request(b.http).post('/api/imports/999999/cancel').set('Authorization', caseworker).expect(404);
      expect(await repo.findOneByOrFail({ id: jobId })).toMatchObject({
        status: 'cancelled',
        rowsRead: stoppedAt.rowsRead,
      });
      const admin = await b.login('admin', TEST_ADMIN_PASSWORD);
      await request(b.http).post('/api/reconciliations/999999/cancel').set('Authorization', admin).expect(404);
    } finally {
      await b.close();
    }
  });
});
