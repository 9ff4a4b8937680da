import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource, In } from 'typeorm';
import { User } from '../src/auth/user.entity.js';
import { Item } from '../src/ledger/item.entity.js';
import { pdfDocument, photoJpeg, photoPng, sha256, storedPath } from './factories/evidence.js';
import { type CampaignBody, newCampaign, newItem, unique } from './factories/items.js';
import { binaryParser } from './utils/crawl.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { ledgerRows, runLedgerVerify } from './utils/ledger.js';
import { pageLogin } from './utils/pages.js';

type Who = 'admin' | 'caseworker' | 'insurance' | 'officer1';

/**
 * Issue #15, done when (through the API, on both databases): an officer requests 销号 with two
 * photos, the caseworker rejects it with a comment, the officer adds a PDF and requests again, the
 * caseworker approves. The ledger holds every step in order; the hashes in it are the stored files'
 * (sha256 of the bytes on disk); one altered byte makes the item's verify and `npm run
 * ledger:verify` name that entry; the insurance bureau reviews insurance items only. A database and
 * an UPLOAD_DIR of its own (the CLI reads all of both).
 */
describe('a 销号 round with evidence (issue 15, done when)', () => {
  let t: TestApp;
  let db: DataSource;
  let uploads: string;
  let campaign: CampaignBody;
  const token = {} as Record<Who, string>;
  const user = {} as Record<Who, { id: number; name: string }>;

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'hpa-round-'));
    t = await createTestApp({ UPLOAD_DIR: uploads }, { freshDatabase: true });
    t.clock.set('2020-04-20T02:00:00Z');
    db = t.app.get(DataSource);
    token.admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    for (const who of ['caseworker', 'insurance', 'officer1'] as const) {
      token[who] = await t.login(who);
    }
    for (const row of await db.getRepository(User).findBy({ username: In(Object.keys(token)) })) {
      user[row.username as Who] = { id: row.id, name: row.displayName };
    }
    // Reviews closes and requires evidence: the product's defaults.
    campaign = await newCampaign(t, token.admin, { closeReview: true, deadline: '2020-05-31' });
    expect(campaign).toMatchObject({ closeReview: true, evidenceRequired: true });
  });

  afterAll(async () => {
    await t.close();
    rmSync(uploads, { recursive: true, force: true });
  });

  const post = (path: string, who: Who, body: object = {}) =>
    request(t.http).post(path).set('Authorization', token[who]).send(body);
  const get = (path: string, who: Who) => request(t.http).get(path).set('Authorization', token[who]);
  const upload = (who: Who, itemId: number, bytes: Buffer, filename: string) =>
    request(t.http)
      .post(`/api/items/${itemId}/attachments`)
      .set('Authorization', token[who])
      .attach('file', bytes, filename);
  const ledgerOf = (itemId: number) => ledgerRows(db, itemId);
  const cli = () => runLedgerVerify(t, { UPLOAD_DIR: uploads });

  /** The round's item, its files and their hashes (set by the first test, read by the next). */
  const round = { itemId: 0, files: [] as { id: number; bytes: Buffer; sha256: string }[] };

  it('two photos, 申请销号, 退回 with a comment, a PDF, 申请销号 again, 通过: every step in the ledger, in order', async () => {
    const item = (await newItem(t, token.caseworker, campaign.id, { title: `卫生室缺少血压计${unique()}` })) as {
      id: number;
      version: number;
    };
    round.itemId = item.id;
    // Evidence required: no request without a file, and nothing written.
    const bare = await post(`/api/items/${item.id}/close`, 'officer1', { resolution: '已购置血压计', version: 1 });
    expect(bare.status).toBe(409);
    expect(bare.body.field).toBe('attachments');

    const photos = [await photoJpeg('#2e7d32'), await photoPng('#1565c0')];
    for (const [i, bytes] of photos.entries()) {
      const res = await upload('officer1', item.id, bytes, i === 0 ? '血压计到位.jpg' : '村医培训.png').expect(201);
      expect(res.body).toMatchObject({ sha256: sha256(bytes), size: bytes.length });
      round.files.push({ id: res.body.id, bytes, sha256: res.body.sha256 });
    }
    const requested = await post(`/api/items/${item.id}/close`, 'officer1', {
      resolution: '已购置电子血压计并完成村医培训',
      version: 1,
    }).expect(200);
    expect(requested.body).toMatchObject({ status: 'pending_review', closeRequestedBy: user.officer1 });

    // 退回 needs a comment: without one, 400 naming it, and nothing written.
    const before = (await ledgerOf(item.id)).length;
    const noComment = await post(`/api/items/${item.id}/review`, 'caseworker', {
      decision: 'reject',
      version: requested.body.version,
    });
    expect(noComment.status).toBe(400);
    expect(JSON.stringify(noComment.body.message)).toContain('comment');
    expect(await ledgerOf(item.id)).toHaveLength(before);

    const rejected = await post(`/api/items/${item.id}/review`, 'caseworker', {
      decision: 'reject',
      comment: '照片看不清血压计型号，请补充采购凭证',
      version: requested.body.version,
    }).expect(200);
    expect(rejected.body).toMatchObject({ status: 'in_progress', closeRequestedBy: null, resolution: null });
    const notices = await get('/api/notifications?pageSize=200', 'officer1').expect(200);
    expect(
      (notices.body.items as { kind: string; itemId: number }[]).filter((n) => n.itemId === item.id).map((n) => n.kind),
    ).toEqual(['close_rejected']);

    const pdf = pdfDocument(`invoice ${unique()}`);
    const pdfRes = await upload('officer1', item.id, pdf, '采购凭证.pdf').expect(201);
    expect(pdfRes.body).toMatchObject({ type: 'application/pdf', sha256: sha256(pdf) });
    round.files.push({ id: pdfRes.body.id, bytes: pdf, sha256: pdfRes.body.sha256 });
    const again = await post(`/api/items/${item.id}/close`, 'officer1', {
      resolution: '已补充采购凭证，血压计型号与清单一致',
      version: rejected.body.version,
    }).expect(200);
    expect(again.body.status).toBe('pending_review');
    // The requester is not a reviewer; an officer has no review at all.
    await post(`/api/items/${item.id}/review`, 'officer1', { decision: 'approve', version: again.body.version }).expect(
      403,
    );
    const approved = await post(`/api/items/${item.id}/review`, 'caseworker', {
      decision: 'approve',
      comment: '凭证齐全，同意销号',
      version: again.body.version,
    }).expect(200);
    expect(approved.body).toMatchObject({ status: 'closed', closedLate: false });
    expect((await db.getRepository(Item).findOneByOrFail({ id: item.id })).closedOn).toBe('2020-04-20');

    const [h1, h2, h3] = round.files.map((f) => f.sha256);
    const officer = { id: user.officer1.id, name: user.officer1.name };
    const ledger = await ledgerOf(item.id);
    expect(ledger.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ledger.map((e) => [e.type, e.actorName])).toEqual([
      ['created', user.caseworker.name],
      ['attachment_added', user.officer1.name],
      ['attachment_added', user.officer1.name],
      ['close_requested', user.officer1.name],
      ['close_rejected', user.caseworker.name],
      ['attachment_added', user.officer1.name],
      ['close_requested', user.officer1.name],
      ['closed', user.caseworker.name],
    ]);
    expect(ledger[1].payload).toMatchObject({ attachmentId: round.files[0].id, sha256: h1, type: 'image/jpeg' });
    expect(ledger[2].payload).toMatchObject({ attachmentId: round.files[1].id, sha256: h2, type: 'image/png' });
    expect(ledger[3]).toMatchObject({
      note: '已购置电子血压计并完成村医培训',
      payload: { status: 'pending_review', evidence: [h1, h2] },
    });
    expect(ledger[4]).toMatchObject({
      note: '照片看不清血压计型号，请补充采购凭证',
      payload: { status: 'in_progress', requestedBy: officer },
    });
    expect(ledger[5].payload).toMatchObject({ attachmentId: round.files[2].id, sha256: h3, type: 'application/pdf' });
    expect(ledger[6]).toMatchObject({
      note: '已补充采购凭证，血压计型号与清单一致',
      payload: { status: 'pending_review', evidence: [h1, h2, h3] },
    });
    expect(ledger[7]).toMatchObject({
      note: '凭证齐全，同意销号',
      payload: { status: 'closed', requestedBy: officer, reviewedBy: user.caseworker },
    });

    // The hashes the ledger holds are the files' on disk, which are the bytes uploaded, which are served.
    for (const file of round.files) {
      const onDisk = readFileSync(storedPath(uploads, file.sha256));
      expect(sha256(onDisk)).toBe(file.sha256);
      expect(onDisk.equals(file.bytes)).toBe(true);
      const served = await get(`/api/attachments/${file.id}`, 'officer1').buffer(true).parse(binaryParser).expect(200);
      expect(sha256(served.body as Buffer)).toBe(file.sha256);
    }
    const verify = await get(`/api/items/${item.id}/ledger/verify`, 'caseworker').expect(200);
    expect(verify.body).toMatchObject({
      valid: true,
      entries: 8,
      firstBrokenSeq: null,
      files: { checked: 3, altered: [], missing: [] },
    });
  });

  it('one altered stored byte: the item verify and `ledger:verify` name that entry and its file', async () => {
    expect(round.itemId).toBeGreaterThan(0);
    const clean = cli();
    expect(clean.stderr).toMatch(/0 broken chain\(s\); \d+ evidence file\(s\) checked, 0 altered or missing/);
    expect(clean.status).toBe(0);

    // The PNG (the entry at seq 3): one bit of one byte in the middle of the file.
    const victim = round.files[1];
    const path = storedPath(uploads, victim.sha256);
    const bytes = readFileSync(path);
    const at = bytes.length >> 1;
    bytes[at] ^= 0x01;
    writeFileSync(path, bytes);
    try {
      const verify = await get(`/api/items/${round.itemId}/ledger/verify`, 'officer1').expect(200);
      expect(verify.body).toMatchObject({
        valid: false,
        firstBrokenSeq: null,
        files: { checked: 3, altered: [{ seq: 3, sha256: victim.sha256 }], missing: [] },
      });
      const tampered = cli();
      expect(tampered.status).toBe(1);
      expect(tampered.stderr).toContain(`item ${round.itemId}: file altered at seq 3 (sha256 ${victim.sha256})`);
      expect(tampered.stderr).toMatch(/0 broken chain\(s\); \d+ evidence file\(s\) checked, 1 altered or missing/);
    } finally {
      bytes[at] ^= 0x01;
      writeFileSync(path, bytes);
    }
    const restored = await get(`/api/items/${round.itemId}/ledger/verify`, 'officer1').expect(200);
    expect(restored.body).toMatchObject({ valid: true, files: { altered: [], missing: [] } });
  });

  it('the insurance bureau reviews insurance items only, and 卫健局 never theirs; a refusal writes nothing', async () => {
    const requested = async (overrides: Record<string, unknown>) => {
      const item = (await newItem(t, token.caseworker, campaign.id, overrides)) as { id: number };
      await upload('officer1', item.id, await photoJpeg('#6a1b9a'), '现场.jpg').expect(201);
      const res = await post(`/api/items/${item.id}/close`, 'officer1', { resolution: '已整改到位', version: 1 });
      expect(res.status).toBe(200);
      return res.body as { id: number; version: number; responsibleDept: string };
    };
    const insuranceItem = await requested({ category: 'insurance', title: `未参保人员已补办${unique()}` });
    const healthItem = await requested({ category: 'contract', title: `签约协议已补签${unique()}` });
    expect([insuranceItem.responsibleDept, healthItem.responsibleDept]).toEqual(['insurance', 'health']);

    const snapshot = async (id: number) => ({
      row: await db.getRepository(Item).findOneByOrFail({ id }),
      ledger: await ledgerOf(id),
    });
    const [insuranceBefore, healthBefore] = [await snapshot(insuranceItem.id), await snapshot(healthItem.id)];
    await post(`/api/items/${healthItem.id}/review`, 'insurance', {
      decision: 'approve',
      version: healthItem.version,
    }).expect(403);
    await post(`/api/items/${insuranceItem.id}/review`, 'caseworker', {
      decision: 'reject',
      comment: '请补充材料',
      version: insuranceItem.version,
    }).expect(403);
    expect(await snapshot(healthItem.id)).toEqual(healthBefore);
    expect(await snapshot(insuranceItem.id)).toEqual(insuranceBefore);

    // Each department's 待审核 list (API and page) holds its own requests only; an admin's holds both.
    const listed = async (who: Who, dept?: string) =>
      (
        (
          await get(
            `/api/items?campaignId=${campaign.id}&status=pending_review&sort=requested${dept ? `&responsibleDept=${dept}` : ''}`,
            who,
          ).expect(200)
        ).body.items as { id: number }[]
      ).map((i) => i.id);
    expect(await listed('insurance', 'insurance')).toEqual([insuranceItem.id]);
    expect(await listed('caseworker', 'health')).toEqual([healthItem.id]);
    expect(await listed('admin')).toEqual([insuranceItem.id, healthItem.id]);
    const pageOf = async (who: 'insurance' | 'caseworker') =>
      (await (await pageLogin(t.http, who)).get('/items/review').expect(200)).text;
    const insurancePage = await pageOf('insurance');
    expect(insurancePage).toContain(`href="/items/${insuranceItem.id}#review"`);
    expect(insurancePage).not.toContain(`href="/items/${healthItem.id}#review"`);
    const caseworkerPage = await pageOf('caseworker');
    expect(caseworkerPage).toContain(`href="/items/${healthItem.id}#review"`);
    expect(caseworkerPage).not.toContain(`href="/items/${insuranceItem.id}#review"`);

    const approved = await post(`/api/items/${insuranceItem.id}/review`, 'insurance', {
      decision: 'approve',
      version: insuranceItem.version,
    }).expect(200);
    expect(approved.body.status).toBe('closed');
    const closed = (await ledgerOf(insuranceItem.id)).at(-1)!;
    expect(closed).toMatchObject({
      type: 'closed',
      actorId: user.insurance.id,
      payload: { reviewedBy: user.insurance, requestedBy: user.officer1 },
    });
    const health = await post(`/api/items/${healthItem.id}/review`, 'caseworker', {
      decision: 'approve',
      version: healthItem.version,
    }).expect(200);
    expect(health.body.status).toBe('closed');
  });

  it('the 待审核 list (sort=requested) puts the oldest request first, whatever the deadlines', async () => {
    const pending = async (deadline: string, at: string) => {
      t.clock.set(at);
      const item = (await newItem(t, token.caseworker, campaign.id, { deadline })) as { id: number };
      await upload('officer1', item.id, await photoJpeg('#ef6c00'), '现场.jpg').expect(201);
      await post(`/api/items/${item.id}/close`, 'officer1', { resolution: '已整改到位', version: 1 }).expect(200);
      return item.id;
    };
    // Requested last, due first; requested first, due last; requested in between.
    const late = await pending('2020-05-01', '2020-04-22T03:00:00Z');
    const early = await pending('2020-05-30', '2020-04-21T01:00:00Z');
    const middle = await pending('2020-05-15', '2020-04-21T09:00:00Z');
    const ids = (
      await get(`/api/items?campaignId=${campaign.id}&status=pending_review&sort=requested`, 'caseworker').expect(200)
    ).body.items.map((i: { id: number }) => i.id);
    expect(ids).toEqual([early, middle, late]);
    const byDeadline = (
      await get(`/api/items?campaignId=${campaign.id}&status=pending_review`, 'caseworker').expect(200)
    ).body.items.map((i: { id: number }) => i.id);
    expect(byDeadline).toEqual([late, middle, early]);
    await get('/api/items?sort=newest', 'caseworker').expect(400);
  });
});
