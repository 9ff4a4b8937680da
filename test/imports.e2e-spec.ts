import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import request from 'supertest';
import { DataSource, In } from 'typeorm';
import { idCheckChar } from '../src/common/id-number.js';
import { Household } from '../src/households/household.entity.js';
import { Person } from '../src/households/person.entity.js';
import { householdInput, maskedId, newIdNumber, newRegistryNo, VILLAGE_A, VILLAGE_B } from './factories/households.js';
import { HOUSEHOLD_HEADER, toCsv, waitUntilFinished } from './factories/rosters.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

/** The same number with a wrong check character. */
const badCheck = (id: string): string => id.slice(0, 17) + (idCheckChar(id.slice(0, 17)) === '0' ? '1' : '0');

interface RowError {
  line: number;
  field: string;
  reason: string;
  idNumber: string | null;
  registryNo: string | null;
}

describe('bulk import of household rosters', () => {
  let t: TestApp;
  let db: DataSource;
  let caseworker: string;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    caseworker = await t.login('caseworker');
    admin = await t.login('admin', TEST_ADMIN_PASSWORD);
  });

  afterAll(() => t.close());

  const upload = (content: string | Buffer, name = 'roster.csv', token = caseworker) =>
    request(t.http)
      .post('/api/imports/households')
      .set('Authorization', token)
      .attach('file', Buffer.from(content), name);

  /** Uploads, expects 202, waits for the job; answers the import with up to 200 of its errors. */
  async function runImport(content: string | Buffer, name = 'roster.csv') {
    const res = await upload(content, name).expect(202);
    expect(res.body).toEqual({ id: expect.any(Number), status: 'queued' });
    await waitUntilFinished(t, caseworker, `/api/imports/${res.body.id}`);
    const done = await request(t.http)
      .get(`/api/imports/${res.body.id}?pageSize=200`)
      .set('Authorization', caseworker)
      .expect(200);
    return done.body as Record<string, unknown> & { id: number; errors: { items: RowError[]; total: number } };
  }

  const persons = (ids: string[]) => db.getRepository(Person).find({ where: { idNumber: In(ids) } });

  describe('a small file with good and bad rows', () => {
    const [h1, h2, h3, h4, h5, h6, h7, h8, h9] = Array.from({ length: 9 }, () => newRegistryNo());
    const ids = Object.fromEntries(
      ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'L', 'M', 'N', 'Y'].map((k, i) => [
        k,
        newIdNumber(i % 2 === 0 ? 'male' : 'female'),
      ]),
    );
    const C = badCheck(ids.C);
    const rows = [
      /* 2 */ [h1, VILLAGE_A, '因病', '在册未脱贫', 2016, ids.A, '张建国', '户主'],
      /* 3 */ [h1, VILLAGE_A, 'illness', 'poor', 2016, ids.B.toLowerCase(), '李秀英', 'spouse'],
      /* 4 */ [h1, VILLAGE_A, '因病', 'poor', 2016, C, '张小明', '子女'],
      /* 5 */ [h2, VILLAGE_B, '因残', '已脱贫', 2017, ids.D, '王大山', '户主'],
      /* 6 */ [h2, '610199009999', '因残', '已脱贫', 2017, ids.E, '王小山', '子女'],
      /* 7 */ [h3, VILLAGE_A, '缺劳力', 'poor', 2018, ids.F, '赵一', '户主'],
      /* 8 */ [h3, VILLAGE_A, '缺劳力', 'poor', 2018, ids.G, '赵二', 'head'],
      /* 9 */ [h4, VILLAGE_A, 'other', 'poor', 2018, ids.H, '钱三', '配偶'],
      /* 10 */ [h5, VILLAGE_B, '因学', 'poor', 2019, ids.I, '孙四', '户主'],
      /* 11 */ [h5, VILLAGE_B, '因学', 'poor', 2019, ids.J, '孙五', '子女'],
      /* 12 */ [h1, VILLAGE_A, '因病', 'poor', 2016, ids.J, '孙五', '孙子女'],
      /* 13 */ [h6, VILLAGE_A, '因病', 'poor', 2016, ids.L, '周六', '户主'],
      /* 14 */ [h6, VILLAGE_A, '因病', 'lifted', 2016, ids.M, '周七', '配偶'],
      /* 15 */ [h7, VILLAGE_A, '天灾', 'poor', 2016, ids.N, '吴八', '户主'],
      /* 16 */ [h8, VILLAGE_A, '因病', 'poor', 2021, ids.Y, '郑九', '户主'],
      /* 17 */ [h9, VILLAGE_A, '因病', 'poor', 2016, '61019919800101123', '', '户主'],
    ];
    const file = toCsv(HOUSEHOLD_HEADER, rows);
    let first: Awaited<ReturnType<typeof runImport>>;

    beforeAll(async () => {
      first = await runImport(file);
    });

    it('accounts for every row: 4 inserted, 12 rejected', () => {
      expect(first).toMatchObject({
        status: 'done',
        format: 'csv',
        encoding: 'utf8',
        rowsTotal: 16,
        rowsRead: 16,
        progress: 1,
        inserted: 4,
        updated: 0,
        unchanged: 0,
        rejected: 12,
        error: null,
      });
    });

    it('reports each rejected row with its line, field, reason and masked ID number', () => {
      const errors = first.errors.items.map((e) => [e.line, e.field, e.reason]);
      expect(first.errors.total).toBe(13);
      expect(errors).toEqual([
        [4, 'idNumber', '身份证号校验位错误（GB 11643-1999）'],
        [6, 'regionCode', '区划代码“610199009999”不是已知的村（社区）或街道（乡镇）'],
        [7, 'relation', `户编号 ${h3} 有 2 个户主（第 7、8 行）`],
        [8, 'relation', `户编号 ${h3} 有 2 个户主（第 7、8 行）`],
        [9, 'relation', `户编号 ${h4} 的有效行中没有户主`],
        [11, 'idNumber', '身份证号在第 12 行再次出现'],
        [12, 'idNumber', '身份证号与第 11 行重复'],
        [13, 'registryNo', `户编号 ${h6} 的各行在区划代码、致贫原因、户状态或建档年度上不一致（第 13 行与第 14 行）`],
        [14, 'registryNo', `户编号 ${h6} 的各行在区划代码、致贫原因、户状态或建档年度上不一致（第 13 行与第 14 行）`],
        [
          15,
          'povertyCause',
          '致贫原因“天灾”不在可选值中：因病（illness）、因残（disability）、因学（education）、缺劳力（labour）、其他（other）',
        ],
        [16, 'registeredYear', '建档年度“2021”应为2013至2020之间的年份'],
        [17, 'idNumber', '身份证号应为18位：17位数字加1位校验码（数字或X）'],
        [17, 'name', '姓名为空'],
      ]);
      expect(first.errors.items[0]).toMatchObject({ idNumber: maskedId(C), registryNo: h1 });
      expect(JSON.stringify(first)).not.toContain(ids.J);
      expect(JSON.stringify(first)).not.toContain(C);
    });

    it('writes the good rows, with sex and birth date from the ID, and nothing of the rejected ones', async () => {
      const written = await persons(Object.values(ids).concat(C));
      expect(written.map((p) => p.idNumber).sort()).toEqual([ids.A, ids.B, ids.D, ids.I].sort());
      const head = written.find((p) => p.idNumber === ids.A)!;
      expect(head).toMatchObject({ name: '张建国', relation: 'head', status: 'active', sex: 'male', version: 1 });
      expect(head.birthDate).toBe(`${ids.A.slice(6, 10)}-${ids.A.slice(10, 12)}-${ids.A.slice(12, 14)}`);
      const households = await db
        .getRepository(Household)
        .find({ where: { registryNo: In([h1, h2, h3, h4, h5, h6, h7, h8, h9]) } });
      expect(households.map((h) => h.registryNo).sort()).toEqual([h1, h2, h5].sort());
      expect(households.find((h) => h.registryNo === h2)).toMatchObject({
        regionCode: VILLAGE_B,
        povertyCause: 'disability',
        status: 'lifted',
        registeredYear: 2017,
      });
      expect(written.find((p) => p.idNumber === ids.A)!.householdId).toBe(
        households.find((h) => h.registryNo === h1)!.id,
      );
    });

    it('changes nothing when the same file is imported again', async () => {
      const again = await runImport(file);
      expect(again).toMatchObject({ status: 'done', inserted: 0, updated: 0, unchanged: 4, rejected: 12 });
      expect(again.errors.total).toBe(13);
      const [head] = await persons([ids.A]);
      expect(head.version).toBe(1);
    });

    it('downloads the rejected rows as CSV, ID numbers masked', async () => {
      const res = await request(t.http)
        .get(`/api/imports/${first.id}/errors.csv`)
        .set('Authorization', caseworker)
        .buffer(true)
        .parse((r, done) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (c: string) => (text += c));
          r.on('end', () => done(null, text));
        })
        .expect(200);
      expect(res.headers['content-type']).toMatch(/text\/csv/);
      const text = res.body as string;
      const lines = text
        .replace(/^\uFEFF/, '')
        .trim()
        .split(/\r?\n/);
      expect(lines[0]).toBe('行号,字段,原因,身份证号,户编号');
      expect(lines).toHaveLength(14);
      expect(lines[1]).toBe(`4,身份证号,身份证号校验位错误（GB 11643-1999）,${maskedId(C)},${h1}`);
      expect(text).not.toContain(C);
    });
  });

  it('updates a changed row and classifies the rest as unchanged', async () => {
    const [hx, hy] = [newRegistryNo(), newRegistryNo()];
    const [p, q, r] = [newIdNumber('male'), newIdNumber('female'), newIdNumber('male')];
    const before = await runImport(
      toCsv(HOUSEHOLD_HEADER, [
        [hx, VILLAGE_A, '因病', 'poor', 2016, p, '甲', '户主'],
        [hx, VILLAGE_A, '因病', 'poor', 2016, q, '乙', '配偶'],
        [hy, VILLAGE_B, '因残', 'lifted', 2017, r, '丙', '户主'],
      ]),
    );
    expect(before).toMatchObject({ inserted: 3, updated: 0, unchanged: 0, rejected: 0 });

    // hx is lifted now (its first row carries that change) and 乙 has a new name; hy is as it was.
    const after = await runImport(
      toCsv(HOUSEHOLD_HEADER, [
        [hx, VILLAGE_A, '因病', '已脱贫', 2016, p, '甲', '户主'],
        [hx, VILLAGE_A, '因病', '已脱贫', 2016, q, '乙乙', '配偶'],
        [hy, VILLAGE_B, '因残', 'lifted', 2017, r, '丙', '户主'],
      ]),
    );
    expect(after).toMatchObject({ status: 'done', inserted: 0, updated: 2, unchanged: 1, rejected: 0 });
    const household = await db.getRepository(Household).findOneByOrFail({ registryNo: hx });
    expect(household).toMatchObject({ status: 'lifted', version: 2 });
    const stored = await persons([p, q, r]);
    expect(stored.find((x) => x.idNumber === q)).toMatchObject({ name: '乙乙', version: 2 });
    expect(stored.find((x) => x.idNumber === p)).toMatchObject({ name: '甲', version: 1 });
  });

  it('updates and leaves alone thousands of rows across batches', async () => {
    const rows = (suffix: string) =>
      Array.from({ length: 2500 }, (_, i) => [
        `${prefix}-${Math.floor(i / 5)}`,
        Math.floor(i / 5) % 2 ? VILLAGE_A : VILLAGE_B,
        '因病',
        '已脱贫',
        2016,
        ids[i],
        `成员${i}${suffix}`,
        i % 5 === 0 ? '户主' : '子女',
      ]);
    const prefix = newRegistryNo();
    const ids = Array.from({ length: 2500 }, () => newIdNumber());
    expect(await runImport(toCsv(HOUSEHOLD_HEADER, rows('')))).toMatchObject({ inserted: 2500, rejected: 0 });
    expect(await runImport(toCsv(HOUSEHOLD_HEADER, rows('乙')))).toMatchObject({ updated: 2500, unchanged: 0 });
    expect(await runImport(toCsv(HOUSEHOLD_HEADER, rows('乙')))).toMatchObject({ updated: 0, unchanged: 2500 });
    const stored = await persons([ids[0], ids[2499]]);
    expect(stored.map((p) => [p.name, p.version]).sort()).toEqual([
      ['成员0乙', 2],
      ['成员2499乙', 2],
    ]);
  });

  it('keeps one head per household across the file and the registry', async () => {
    const input = householdInput();
    await request(t.http).post('/api/households').set('Authorization', caseworker).send(input).expect(201);
    const [registered] = input.members;
    const newcomer = newIdNumber('male');
    const child = newIdNumber('female');
    const result = await runImport(
      toCsv(HOUSEHOLD_HEADER, [
        [input.registryNo, VILLAGE_A, '因病', 'poor', 2016, newcomer, '新户主', '户主'],
        [input.registryNo, VILLAGE_A, '因病', 'poor', 2016, child, '孩子', '子女'],
      ]),
    );
    expect(result).toMatchObject({ inserted: 0, rejected: 2 });
    expect(result.errors.items[0].reason).toBe(
      `户编号 ${input.registryNo} 在登记中已有另一位户主（${maskedId(registered.idNumber)}），此人不在本文件中`,
    );
    expect(await persons([newcomer, child])).toEqual([]);

    // With the registered head in the file, the household takes the new member; the head is unchanged.
    const fine = await runImport(
      toCsv(HOUSEHOLD_HEADER, [
        [input.registryNo, VILLAGE_A, '因病', 'poor', 2016, registered.idNumber, registered.name, '户主'],
        [input.registryNo, VILLAGE_A, '因病', 'poor', 2016, child, '孩子', '子女'],
      ]),
    );
    expect(fine).toMatchObject({ inserted: 1, updated: 0, unchanged: 1, rejected: 0 });
  });

  it('imports an XLSX workbook, rejecting an ID number the spreadsheet stored as a number', async () => {
    const registryNo = newRegistryNo();
    const head = newIdNumber('male');
    let child = newIdNumber('female');
    while (child.endsWith('X')) {
      child = newIdNumber('female'); // typed as a number, it must be all digits
    }
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('花名册');
    sheet.addRow(HOUSEHOLD_HEADER);
    sheet.addRow([registryNo, VILLAGE_A, '因病', '在册未脱贫', 2016, head, '钱多多', '户主']);
    sheet.addRow([registryNo, VILLAGE_A, '因病', '在册未脱贫', 2016, Number(child), '钱少少', '子女']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const result = await runImport(buffer, '花名册.xlsx');
    expect(result).toMatchObject({ format: 'xlsx', encoding: null, fileName: '花名册.xlsx', inserted: 1, rejected: 1 });
    expect(result.errors.items).toEqual([
      expect.objectContaining({
        line: 3,
        field: 'idNumber',
        reason: '身份证号以数字存储，表格只保留了15位有效数字：请将该列设为文本格式后重新填写',
      }),
    ]);
    expect((await persons([head]))[0]).toMatchObject({ name: '钱多多', relation: 'head' });
  });

  it('imports a GBK-encoded CSV from office software', async () => {
    const registryNo = newRegistryNo();
    const head = newIdNumber('female');
    const text = toCsv(HOUSEHOLD_HEADER, [[registryNo, VILLAGE_B, '因病', '已脱贫', 2015, head, '欧阳娜娜', '户主']], {
      bom: false,
    });
    const result = await runImport(iconv.encode(text, 'gbk'));
    expect(result).toMatchObject({ status: 'done', encoding: 'gbk', inserted: 1, rejected: 0 });
    expect((await persons([head]))[0].name).toBe('欧阳娜娜');
  });

  describe('bad input', () => {
    it.each([
      [
        'a PNG image',
        Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]),
        /既不是 CSV 也不是 XLSX/,
      ],
      ['an empty file', Buffer.alloc(0), /^文件是空的$/],
      ['a header without rows', toCsv(HOUSEHOLD_HEADER, []), /^文件只有表头，没有数据行$/],
      [
        'missing columns',
        toCsv(HOUSEHOLD_HEADER.slice(0, 6), [['X', VILLAGE_A, '因病', 'poor', 2016, newIdNumber()]]),
        /^表头不正确，缺少“姓名”、“与户主关系”列；表头应为：户编号,区划代码,致贫原因,户状态,建档年度,身份证号,姓名,与户主关系/,
      ],
    ])('answers 400 naming `file` for %s', async (_what, content, message) => {
      const res = await upload(content).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, field: 'file', message: expect.stringMatching(message) });
    });

    it('answers 400 without a file, or with the file in another field', async () => {
      const none = await request(t.http)
        .post('/api/imports/households')
        .set('Authorization', caseworker)
        .field('note', 'x')
        .expect(400);
      expect(none.body.message).toMatch(/^file: a CSV or XLSX file is required/);
      const other = await request(t.http)
        .post('/api/imports/households')
        .set('Authorization', caseworker)
        .attach('roster', Buffer.from('x'), 'r.csv')
        .expect(400);
      expect(other.body.message).toMatch(/^file: send exactly one file, in the multipart field "file"/);
      const json = await request(t.http)
        .post('/api/imports/households')
        .set('Authorization', caseworker)
        .send({ file: 'x' })
        .expect(400);
      expect(json.body.message).toMatch(/^file: send the roster as multipart\/form-data/);
    });

    it('keeps spreadsheet formulas typed into a file inert in errors.csv', async () => {
      const id = newIdNumber();
      const result = await runImport(
        toCsv(HOUSEHOLD_HEADER, [['=HYPERLINK("http://x")', VILLAGE_A, '因病', 'poor', 2016, id, '某人', '户主']]),
      );
      expect(result).toMatchObject({ rejected: 1 });
      const csv = await request(t.http)
        .get(`/api/imports/${result.id}/errors.csv`)
        .set('Authorization', caseworker)
        .expect(200);
      expect(csv.text).toContain(`"'=HYPERLINK(""http://x"")"`);
      expect(csv.text).not.toMatch(/(^|,)=HYPERLINK/m);
    });

    it('fails the import naming the line of a broken quote, and writes none of its rows', async () => {
      const good = newIdNumber();
      const text = toCsv(HOUSEHOLD_HEADER, [[newRegistryNo(), VILLAGE_A, '因病', 'poor', 2016, good, '好人', '户主']]);
      const broken = `${text}${newRegistryNo()},${VILLAGE_A},因病,poor,2016,${newIdNumber()},"坏人,户主\r\n`;
      const result = await runImport(broken);
      expect(result).toMatchObject({
        status: 'failed',
        error: '第 3 行引号不完整：带引号的字段没有正确结束',
        rowsRead: 0,
        inserted: 0,
        rejected: 0,
      });
      expect(await persons([good])).toEqual([]);
    });

    it('fails the import naming a line with a missing field', async () => {
      const good = newIdNumber();
      const text = toCsv(HOUSEHOLD_HEADER, [[newRegistryNo(), VILLAGE_A, '因病', 'poor', 2016, good, '好人', '户主']]);
      const result = await runImport(
        `${text}${newRegistryNo()},${VILLAGE_A},因病,poor,2016,${newIdNumber()},缺一列\r\n`,
      );
      expect(result).toMatchObject({ status: 'failed', error: '第 3 行有 7 个字段，表头有 8 个' });
      expect(await persons([good])).toEqual([]);
    });

    it('answers 413 for a file over UPLOAD_MAX_MB, naming the limit', async () => {
      const small = await createTestApp({ UPLOAD_MAX_MB: '1' });
      try {
        const token = await small.login('caseworker');
        const res = await request(small.http)
          .post('/api/imports/households')
          .set('Authorization', token)
          .attach('file', Buffer.alloc(1024 * 1024 + 10, 'a'), 'big.csv')
          .expect(413);
        expect(res.body).toMatchObject({
          statusCode: 413,
          message: 'file: the file is larger than 1 MB, the most this service accepts (UPLOAD_MAX_MB)',
        });
      } finally {
        await small.close();
      }
    });
  });

  it('answers 409 when resuming a finished import, 404 for an unknown one', async () => {
    const done = await runImport(
      toCsv(HOUSEHOLD_HEADER, [[newRegistryNo(), VILLAGE_A, '因病', 'poor', 2016, newIdNumber(), '某人', '户主']]),
    );
    await request(t.http).post(`/api/imports/${done.id}/resume`).set('Authorization', caseworker).expect(409);
    await request(t.http).get('/api/imports/999999999').set('Authorization', caseworker).expect(404);
  });

  it('hands out the template with the Chinese headers, as CSV or XLSX', async () => {
    const csv = await request(t.http)
      .get('/api/imports/template?format=csv')
      .set('Authorization', caseworker)
      .expect(200);
    expect(csv.text).toBe('\uFEFF户编号,区划代码,致贫原因,户状态,建档年度,身份证号,姓名,与户主关系\n');
    const xlsx = await request(t.http)
      .get('/api/imports/template?format=xlsx')
      .set('Authorization', admin)
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body);
    expect(workbook.worksheets[0].getRow(1).values).toEqual([undefined, ...HOUSEHOLD_HEADER]);
    await request(t.http).get('/api/imports/template?format=pdf').set('Authorization', caseworker).expect(400);
  });

  it('lets caseworkers and admins import; insurance staff, officers and the leadership get 403', async () => {
    const file = toCsv(HOUSEHOLD_HEADER, [
      [newRegistryNo(), VILLAGE_A, '因病', 'poor', 2016, newIdNumber(), '某人', '户主'],
    ]);
    for (const username of ['insurance', 'officer1', 'leader']) {
      const token = await t.login(username);
      await upload(file, 'roster.csv', token).expect(403);
      await request(t.http).get('/api/imports').set('Authorization', token).expect(403);
      await request(t.http).get('/api/imports/template').set('Authorization', token).expect(403);
    }
    const res = await upload(file, 'roster.csv', admin).expect(202);
    await waitUntilFinished(t, admin, `/api/imports/${res.body.id}`);
    const list = await request(t.http).get('/api/imports?pageSize=5').set('Authorization', caseworker).expect(200);
    expect(list.body.items[0]).toMatchObject({ id: res.body.id, status: 'done', inserted: 1 });
  });
});
