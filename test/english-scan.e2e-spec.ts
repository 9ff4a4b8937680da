import ExcelJS from 'exceljs';
import request from 'supertest';
import { HOUSEHOLD_HEADER, INSURANCE_HEADER, toCsv, waitUntilFinished } from './factories/rosters.js';
import { householdInput, newIdNumber, newRegistryNo, VILLAGE_A } from './factories/households.js';
import { DataSource } from 'typeorm';
import { Attachment } from '../src/ledger/attachment.entity.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { type PageAgent, pageLogin } from './utils/pages.js';

/**
 * ASCII words a user may read: units (mmol/L; KB and MB of a file), file formats (CSV, Excel; the
 * 佐证材料's JPEG, PNG and PDF) and encodings, the keyboard shortcut, the queue store, the prefix of a
 * national standard's number (GB 11643-1999, 国标: the ID number's). Everything else in Latin letters
 * on a page, in an export or a notice is English prose to translate. Identifiers are taken out first:
 * anything inside markup (links, classes, field names), `<code>` elements (ID numbers, user names,
 * region codes, hashes), tokens with a digit (registry numbers, masked IDs, SHA-256) and uploaded file
 * names.
 */
const ALLOWED = new Set([
  'CSV',
  'Excel',
  'UTF',
  'GBK',
  'GB',
  'Ctrl',
  'P',
  'Redis',
  'mmol',
  'L',
  'JPEG',
  'PNG',
  'PDF',
  'KB',
  'MB',
]);

const ID_NUMBER = /\b\d{6}(?:\*{8}|\d{8})\d{3}[\dXx]\b/g;

/** The text a person reads on a page: text nodes and the attributes shown (title, placeholder, alt, aria-label). */
function readable(html: string): string {
  const attributes = [...html.matchAll(/\s(?:title|placeholder|alt|aria-label)="([^"]*)"/g)].map((m) => m[1]);
  const body = html
    .replace(/<(script|style|code)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&amp;/g, '&');
  return [body, ...attributes].join('\n');
}

/** The English words of a text, with where they stand. */
function englishIn(text: string): string[] {
  const words =
    text
      .replace(ID_NUMBER, ' ')
      // sha256 values and their 12-digit starts (佐证材料), which may happen to hold no digit.
      .replace(/\b[0-9a-f]{12,64}\b/g, ' ')
      .replace(/[^\s/\\，,（）()「」：]+\.(?:csv|xlsx|jpe?g|png|pdf)\b/gi, ' ')
      .replace(/[\w-]*\d[\w-]*/g, ' ')
      .match(/[A-Za-z][A-Za-z']*/g) ?? [];
  return words.filter((w) => !ALLOWED.has(w));
}

/**
 * Issue #13, done-when: every page, export and notice of the demo walk-through, as each role, is
 * Chinese. One app, a fixed walk: the pages of the navigation and a record of each kind, the
 * exports and templates, the notices of an escalation run, the error pages.
 */
describe('no English reaches users (issue 13)', () => {
  let t: TestApp;
  const found = new Map<string, Set<string>>();

  const scan = (where: string, text: string) => {
    const english = englishIn(text);
    if (english.length > 0) {
      found.set(where, new Set([...(found.get(where) ?? []), ...english]));
    }
  };

  const binary = (res: request.Response, done: (err: Error | null, body: Buffer) => void) => {
    const parts: Buffer[] = [];
    res.on('data', (part: Buffer) => parts.push(part));
    res.on('end', () => done(null, Buffer.concat(parts)));
  };

  async function scanXlsx(where: string, agent: PageAgent, url: string) {
    const res = await agent.get(url).buffer(true).parse(binary).expect(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.body);
    const cells: string[] = [];
    workbook.eachSheet((sheet) => {
      cells.push(sheet.name);
      sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.text))));
    });
    scan(where, cells.join('\n'));
  }

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
  });

  afterAll(() => t.close());

  it('walks the demo as every role and finds no English prose', async () => {
    const caseworker = await t.login('caseworker');
    const insurance = await t.login('insurance');
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    t.clock.set('2020-05-20T02:00:00Z');
    // An import with a good and a bad row, a reconciliation with every outcome, items due and overdue.
    const good = householdInput();
    const importCsv = toCsv(HOUSEHOLD_HEADER, [
      [newRegistryNo(), VILLAGE_A, '因病致贫', '脱贫户', 2016, newIdNumber(), '王桂兰', '户主'],
      [newRegistryNo(), VILLAGE_A, '因病', '已脱贫', 2016, '110101195001010010', '错号', '户主'],
    ]);
    const imported = await request(t.http)
      .post('/api/imports/households')
      .set('Authorization', caseworker)
      .attach('file', Buffer.from(importCsv), 'roster.csv')
      .expect(202);
    await waitUntilFinished(t, caseworker, `/api/imports/${imported.body.id}`);
    const household = await request(t.http)
      .post('/api/households')
      .set('Authorization', caseworker)
      .send(good)
      .expect(201);
    const rec = await request(t.http)
      .post('/api/reconciliations')
      .set('Authorization', insurance)
      .attach(
        'file',
        Buffer.from(
          toCsv(INSURANCE_HEADER, [
            [good.members[0].idNumber, good.members[0].name, 2020, '是', '是'],
            [good.members[1].idNumber, '别名', 2020, '否', '否'],
            [newIdNumber(), '资助户', 2020, '是', '是'],
            [good.members[0].idNumber, good.members[0].name, 2019, '是', '否'],
          ]),
        ),
        'r.csv',
      )
      .expect(202);
    await waitUntilFinished(t, insurance, `/api/reconciliations/${rec.body.id}`);
    const campaigns = await request(t.http).get('/api/campaigns').set('Authorization', admin).expect(200);
    const campaignId = campaigns.body.items[0].id as number;
    await request(t.http)
      .post(`/api/reconciliations/${rec.body.id}/items`)
      .set('Authorization', insurance)
      .send({
        kinds: ['registered_not_insured', 'name_mismatch', 'insured_not_registered'],
        campaignId,
        regionCode: '610199001000',
      })
      .expect(200);
    await request(t.http)
      .post('/api/checks/run')
      .set('Authorization', caseworker)
      .send({ campaignId, asOf: '2020-05-20' })
      .expect(200);
    t.clock.set('2020-06-20T02:00:00Z');
    await request(t.http).post('/api/escalations/run').set('Authorization', admin).send({}).expect(200);
    const items = await request(t.http)
      .get('/api/items?pageSize=5&closed=false')
      .set('Authorization', admin)
      .expect(200);
    const itemId = items.body.items[0].id as number;
    const closed = await request(t.http)
      .get('/api/items?pageSize=1&closed=true')
      .set('Authorization', admin)
      .expect(200);
    // 销号审核 (SPEC §6.2) on a 城关 health item of the demo campaign: a 责任人, a comment, a request with
    // evidence (the row as an upload leaves it), a rejection, a new request: its notices to both sides.
    const officer = await t.login('officer1');
    const leader = await t.login('leader');
    const reviewed = (
      await request(t.http)
        .get(
          `/api/items?pageSize=1&status=open&regionCode=610199001000&responsibleDept=health&campaignId=${campaignId}`,
        )
        .set('Authorization', admin)
        .expect(200)
    ).body.items[0] as { id: number; version: number };
    const act = (token: string, action: string, body: object) =>
      request(t.http).post(`/api/items/${reviewed.id}/${action}`).set('Authorization', token).send(body).expect(200);
    await t.app
      .get(DataSource)
      .getRepository(Attachment)
      .insert({
        itemId: reviewed.id,
        sha256: 'a'.repeat(64),
        name: '现场照片.jpg',
        type: 'image/jpeg',
        size: 2048,
        uploadedById: 1,
      });
    let version = (
      await act(officer, 'assignee', {
        assigneeName: '王建国',
        assigneePhone: '13912345678',
        version: reviewed.version,
      })
    ).body.version as number;
    await act(leader, 'comments', { note: '请街道加快整改进度' });
    version = (await act(officer, 'close', { resolution: '已完成整改并留存照片', version })).body.version;
    version = (await act(caseworker, 'review', { decision: 'reject', comment: '照片不清晰，请补充', version })).body
      .version;
    await act(officer, 'close', { resolution: '已补充清晰照片', version });
    // The demo's own requests: generated photos and PDFs, one rejected and requested again (城关街道's).
    const demoPending = (
      await request(t.http)
        .get(`/api/items?status=pending_review&campaignId=${campaignId}&regionCode=610199001000&sort=requested`)
        .set('Authorization', admin)
        .expect(200)
    ).body.items.find((i: { attachmentCount: number }) => i.attachmentCount > 1) as { id: number };

    const walks: Record<string, string[]> = {
      admin: [
        '/',
        '/households',
        `/households/${household.body.id}`,
        '/items',
        '/items/review',
        `/items/${itemId}`,
        `/items/${closed.body.items[0].id}`,
        `/items/${demoPending.id}`,
        '/imports',
        `/imports/${imported.body.id}`,
        '/reconciliations',
        `/reconciliations/${rec.body.id}`,
        `/reconciliations/${rec.body.id}/apply-enrollment`,
        '/notifications',
        '/bulletin',
        '/users',
        '/region-codes',
        '/items/new',
        '/items/batch',
        '/campaigns',
        '/logout',
        '/no-such-page',
        ...(t.config.REDIS_URL ? [] : ['/admin/queues']),
      ],
      caseworker: [
        '/',
        '/households',
        `/households/${household.body.id}`,
        '/items',
        `/items/${itemId}`,
        `/items/${reviewed.id}`,
        '/items/review',
        `/items/${demoPending.id}`,
        '/imports',
        '/notifications',
        '/bulletin',
        '/reconciliations',
      ],
      insurance: [
        '/',
        '/items',
        '/items/review',
        '/reconciliations',
        `/reconciliations/${rec.body.id}`,
        '/notifications',
        '/households',
      ],
      officer1: [
        '/',
        '/items',
        `/items/${reviewed.id}`,
        `/items/${demoPending.id}`,
        '/notifications',
        '/bulletin',
        '/households',
        '/users',
        '/items/999999999',
        '/campaigns',
      ],
      leader: [
        '/',
        '/items',
        `/items/${reviewed.id}`,
        `/items/${demoPending.id}`,
        '/bulletin',
        '/notifications',
        '/households',
      ],
    };
    for (const [user, urls] of Object.entries(walks)) {
      const agent = await pageLogin(t.http, user, user === 'admin' ? TEST_ADMIN_PASSWORD : undefined);
      for (const url of urls) {
        const res = await agent.get(url);
        expect(res.status).toBeLessThan(500);
        scan(`${user} ${url}`, readable(res.text));
      }
      // Exports and notices, as this user gets them.
      const csv = await agent.get('/api/items/export?format=csv');
      if (csv.status === 200) {
        scan(`${user} items.csv`, csv.text);
        await scanXlsx(`${user} items.xlsx`, agent, '/api/items/export?format=xlsx');
      }
      const notices = await agent.get('/api/notifications?pageSize=200').expect(200);
      expect(user === 'admin' ? notices.body.total : 1).toBeGreaterThan(0);
      for (const n of notices.body.items as { title: string; body: string; levelName: string; kindName: string }[]) {
        scan(`${user} notice`, [n.title, n.body, n.levelName, n.kindName].join('\n'));
      }
      if (user === 'caseworker' || user === 'officer1') {
        // The review's notices were scanned: the request (to the caseworker) and the rejection (to the officer).
        const kinds = (notices.body.items as { kind: string; itemId: number }[])
          .filter((n) => n.itemId === reviewed.id)
          .map((n) => n.kind);
        expect(kinds).toContain(user === 'caseworker' ? 'close_requested' : 'close_rejected');
      }
    }
    const adminAgent = await pageLogin(t.http, 'admin', TEST_ADMIN_PASSWORD);
    scan('import errors.csv', (await adminAgent.get(`/api/imports/${imported.body.id}/errors.csv`).expect(200)).text);
    scan(
      'discrepancies.csv',
      (await adminAgent.get(`/api/reconciliations/${rec.body.id}/discrepancies.csv`).expect(200)).text,
    );
    await scanXlsx('household template', adminAgent, '/api/imports/template?format=xlsx');
    await scanXlsx('insurance template', adminAgent, '/api/reconciliations/template?format=xlsx');
    await scanXlsx('findings template', adminAgent, '/api/items/batch/template?format=xlsx');
    scan('household template.csv', (await adminAgent.get('/api/imports/template?format=csv').expect(200)).text);

    expect(Object.fromEntries([...found].map(([where, words]) => [where, [...words]]))).toEqual({});
  });
});
