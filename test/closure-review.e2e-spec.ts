import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource, In } from 'typeorm';
import { User } from '../src/auth/user.entity.js';
import { Attachment, type EvidenceType } from '../src/ledger/attachment.entity.js';
import { Item } from '../src/ledger/item.entity.js';
import { Notification } from '../src/notifications/notification.entity.js';
import { type CampaignBody, newCampaign, newItem } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { ledgerRows } from './utils/ledger.js';

type Who = 'admin' | 'caseworker' | 'insurance' | 'officer1' | 'officer2' | 'leader';
const WHO: Who[] = ['admin', 'caseworker', 'insurance', 'officer1', 'officer2', 'leader'];

/**
 * Issue #15, 销号审核 (SPEC §6.2) through the API: close requests carrying the evidence hashes, review
 * by the responsible department (never the requester), rejections told to the requester, comments,
 * 责任人 with the phone masked outside the item's workers, pending items escalating to their reviewers,
 * and two API processes approving at once. The evidence rows are inserted directly (uploading them is
 * another route's work) with made-up sha256 values.
 */
describe('closure review (销号审核)', () => {
  let t: TestApp;
  let db: DataSource;
  const token = {} as Record<Who, string>;
  const user = {} as Record<Who, { id: number; name: string }>;
  /** Reviews closes, evidence required (the product's default). */
  let reviewed: CampaignBody;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2020-04-15T02:00:00Z');
    db = t.app.get(DataSource);
    token.admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    for (const who of WHO.filter((w) => w !== 'admin')) {
      token[who] = await t.login(who);
    }
    const rows = await db.getRepository(User).findBy({ username: In(WHO) });
    for (const row of rows) {
      user[row.username as Who] = { id: row.id, name: row.displayName };
    }
    reviewed = await newCampaign(t, token.admin, { closeReview: true, deadline: '2020-05-10' });
  });

  afterAll(() => t.close());

  const post = (path: string, who: Who, body: object = {}) =>
    request(t.http).post(path).set('Authorization', token[who]).send(body);
  const get = (path: string, who: Who) => request(t.http).get(path).set('Authorization', token[who]);
  const itemRow = (id: number) => db.getRepository(Item).findOneByOrFail({ id });
  const ledgerOf = (itemId: number) => ledgerRows(db, itemId);
  /** An item's notices: its own, and the escalation digests (到期汇总) that name it. */
  const noticesOf = async (itemId: number) =>
    (await db.getRepository(Notification).find({ order: { id: 'ASC' } })).filter((n) =>
      n.kind === 'digest' ? n.body.includes(`编号${itemId}）`) : n.itemId === itemId,
    );
  const verify = async (itemId: number) =>
    (await get(`/api/items/${itemId}/ledger/verify`, 'caseworker').expect(200)).body;
  /** Active users of a role: the reviewers a request is told to (other test files may add some on a shared database). */
  const activeOf = async (role: 'health_caseworker' | 'insurance_reconciler') =>
    (await db.getRepository(User).findBy({ role, active: true })).map((u) => u.id).sort((a, b) => a - b);

  /** 佐证材料 rows as the upload route would leave them (made-up bytes' hashes); their sha256, oldest first. */
  async function evidence(itemId: number, types: EvidenceType[]): Promise<string[]> {
    const hashes: string[] = [];
    for (const [i, type] of types.entries()) {
      const sha256 = createHash('sha256').update(randomBytes(32)).digest('hex');
      await db.getRepository(Attachment).insert({
        itemId,
        sha256,
        name: type === 'application/pdf' ? `签约协议${i + 1}.pdf` : `现场照片${i + 1}.jpg`,
        type,
        size: 1024 + i,
        uploadedById: user.officer1.id,
      });
      hashes.push(sha256);
    }
    return hashes;
  }

  /** A 城关 item of the campaign (health unless told), with the answer's version. */
  const item = async (overrides: Record<string, unknown> = {}, campaignId = reviewed.id) =>
    (await newItem(t, token.caseworker, campaignId, overrides)) as { id: number; version: number };

  /** An item whose 销号 officer1 has requested, with one photo. */
  async function pendingItem(overrides: Record<string, unknown> = {}) {
    const { id } = await item(overrides);
    await evidence(id, ['image/jpeg']);
    const res = await post(`/api/items/${id}/close`, 'officer1', { resolution: '已整改到位并留存照片', version: 1 });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('pending_review');
    return res.body as { id: number; version: number };
  }

  /** What a refusal must leave as it was: the row, the ledger and the notices. */
  async function snapshot(id: number) {
    return { row: await itemRow(id), ledger: await ledgerOf(id), notices: (await noticesOf(id)).length };
  }

  describe('the campaign settings', () => {
    it('are on by default, read with the campaign, and set by an admin only (booleans)', async () => {
      const created = await request(t.http)
        .post('/api/campaigns')
        .set('Authorization', token.admin)
        .send({ name: '默认审核专项' })
        .expect(201);
      expect(created.body).toMatchObject({ closeReview: true, evidenceRequired: true });
      const off = await newCampaign(t, token.admin, { closeReview: false, evidenceRequired: false });
      expect(off).toMatchObject({ closeReview: false, evidenceRequired: false });

      const patched = await request(t.http)
        .patch(`/api/campaigns/${created.body.id}`)
        .set('Authorization', token.admin)
        .send({ evidenceRequired: false })
        .expect(200);
      expect(patched.body).toMatchObject({ id: created.body.id, closeReview: true, evidenceRequired: false });
      expect((await get(`/api/campaigns/${created.body.id}`, 'officer1').expect(200)).body).toMatchObject({
        closeReview: true,
        evidenceRequired: false,
      });

      for (const who of ['caseworker', 'insurance', 'officer1', 'leader'] as const) {
        await request(t.http)
          .patch(`/api/campaigns/${created.body.id}`)
          .set('Authorization', token[who])
          .send({ closeReview: false })
          .expect(403);
      }
      const none = await request(t.http)
        .patch(`/api/campaigns/${created.body.id}`)
        .set('Authorization', token.admin)
        .send({})
        .expect(400);
      expect(none.body.field).toBe('closeReview');
      const text = await request(t.http)
        .patch(`/api/campaigns/${created.body.id}`)
        .set('Authorization', token.admin)
        .send({ closeReview: 'yes' })
        .expect(400);
      expect(JSON.stringify(text.body)).toContain('closeReview');
      await request(t.http)
        .patch('/api/campaigns/99999999')
        .set('Authorization', token.admin)
        .send({ closeReview: false })
        .expect(404);
      expect((await get(`/api/campaigns/${created.body.id}`, 'admin').expect(200)).body.closeReview).toBe(true);
    });

    it('with closeReview off, a close is direct, as before; turned on, the next close is a request', async () => {
      const campaign = await newCampaign(t, token.admin);
      expect(campaign.closeReview).toBe(false);
      const direct = await item({}, campaign.id);
      const closed = await post(`/api/items/${direct.id}/close`, 'officer1', {
        resolution: '当场整改到位',
        version: 1,
      });
      expect(closed.status).toBe(200);
      expect(closed.body).toMatchObject({ status: 'closed', closeRequestedAt: null, closeRequestedBy: null });
      expect((await ledgerOf(direct.id)).map((e) => e.type)).toEqual(['created', 'closed']);

      await request(t.http)
        .patch(`/api/campaigns/${campaign.id}`)
        .set('Authorization', token.admin)
        .send({ closeReview: true, evidenceRequired: false })
        .expect(200);
      const later = await item({}, campaign.id);
      const requested = await post(`/api/items/${later.id}/close`, 'officer1', { resolution: '整改完成', version: 1 });
      expect(requested.status).toBe(200);
      expect(requested.body).toMatchObject({ status: 'pending_review', attachmentCount: 0 });
      // Without evidence required, the request names none.
      expect((await ledgerOf(later.id)).at(-1)).toMatchObject({
        type: 'close_requested',
        payload: { status: 'pending_review', evidence: [] },
      });
    });
  });

  it('the whole round: two photos, rejected with a comment, a PDF more, requested again, approved', async () => {
    const created = await item();
    const started = await post(`/api/items/${created.id}/start`, 'officer1', { version: 1 }).expect(200);
    const photos = await evidence(created.id, ['image/jpeg', 'image/png']);

    // 申请销号 with two photos: the item waits for 卫健局, the reviewers are told.
    const before = await db.getRepository(Notification).count();
    const requested = await post(`/api/items/${created.id}/close`, 'officer1', {
      resolution: '已为患者签约家庭医生并完成首次随访',
      version: started.body.version,
    });
    expect(requested.status).toBe(200);
    expect(requested.body).toMatchObject({
      status: 'pending_review',
      resolution: '已为患者签约家庭医生并完成首次随访',
      closeRequestedAt: '2020-04-15T02:00:00.000Z',
      closeRequestedBy: user.officer1,
      attachmentCount: 2,
      closedAt: null,
      version: 3,
    });
    expect(requested.body.ledger.at(-1)).toMatchObject({
      type: 'close_requested',
      actorId: user.officer1.id,
      note: '已为患者签约家庭医生并完成首次随访',
      payload: { status: 'pending_review', evidence: photos },
    });
    const row = await itemRow(created.id);
    expect(row).toMatchObject({ status: 'pending_review', closeRequestedById: user.officer1.id, closedOn: null });
    expect(row.openKey).toBe(row.dedupeKey);
    const asked = (await noticesOf(created.id)).filter((n) => n.kind === 'close_requested');
    expect(asked.map((n) => n.userId).sort((a, b) => a - b)).toEqual(await activeOf('health_caseworker'));
    expect(asked.map((n) => n.userId)).not.toContain(user.admin.id);
    expect(asked[0].title).toContain('申请销号');
    expect(asked[0].body).toContain('已为患者签约家庭医生并完成首次随访');
    expect(asked[0].body).toContain('附佐证材料2份');
    expect(await db.getRepository(Notification).count()).toBe(before + asked.length);
    // The caseworker's inbox reads it as a notice of its own kind.
    const inbox = await get('/api/notifications?pageSize=200', 'caseworker').expect(200);
    expect(inbox.body.items.find((n: { itemId: number }) => n.itemId === created.id)).toMatchObject({
      kind: 'close_requested',
      kindName: '待审核',
    });

    // 退回 with a comment: back in progress, the request's columns cleared, the requester told.
    t.clock.set('2020-04-16T03:00:00Z');
    const rejected = await post(`/api/items/${created.id}/review`, 'caseworker', {
      decision: 'reject',
      comment: '照片看不清签约协议，请补充协议扫描件',
      version: 3,
    });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({
      status: 'in_progress',
      resolution: null,
      closeRequestedAt: null,
      closeRequestedBy: null,
      attachmentCount: 2,
      version: 4,
    });
    expect(rejected.body.ledger.at(-1)).toMatchObject({
      type: 'close_rejected',
      actorId: user.caseworker.id,
      note: '照片看不清签约协议，请补充协议扫描件',
      payload: { status: 'in_progress', requestedBy: user.officer1 },
    });
    const told = (await noticesOf(created.id)).filter((n) => n.kind === 'close_rejected');
    expect(told.map((n) => n.userId)).toEqual([user.officer1.id]);
    const officerInbox = await get('/api/notifications?pageSize=200', 'officer1').expect(200);
    const notice = officerInbox.body.items.find(
      (n: { itemId: number; kind: string }) => n.itemId === created.id && n.kind === 'close_rejected',
    );
    expect(notice).toMatchObject({ kindName: '审核退回', readAt: null });
    expect(notice.title).toContain('审核退回');
    expect(notice.body).toContain('照片看不清签约协议，请补充协议扫描件');
    expect(notice.body).toContain(user.caseworker.name);
    expect(notice.body).toContain('2020年4月16日');

    // A PDF more, and 销号 requested again: the request names all three files.
    const pdf = await evidence(created.id, ['application/pdf']);
    t.clock.set('2020-04-17T03:00:00Z');
    const again = await post(`/api/items/${created.id}/close`, 'officer1', {
      resolution: '已补充签约协议扫描件',
      version: 4,
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'pending_review', attachmentCount: 3, version: 5 });
    expect(again.body.ledger.at(-1).payload).toEqual({ status: 'pending_review', evidence: [...photos, ...pdf] });

    // 审核通过: closed, naming requester and reviewer.
    t.clock.set('2020-04-18T03:00:00Z');
    const approved = await post(`/api/items/${created.id}/review`, 'caseworker', { decision: 'approve', version: 5 });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'closed',
      resolution: '已补充签约协议扫描件',
      closedAt: '2020-04-18T03:00:00.000Z',
      closedLate: false,
      closeRequestedAt: null,
      closeRequestedBy: null,
      version: 6,
    });
    expect(approved.body.ledger.at(-1)).toMatchObject({
      type: 'closed',
      actorId: user.caseworker.id,
      note: null,
      payload: { status: 'closed', requestedBy: user.officer1, reviewedBy: user.caseworker },
    });
    expect(await itemRow(created.id)).toMatchObject({ status: 'closed', closedOn: '2020-04-18', openKey: null });

    const ledger = await ledgerOf(created.id);
    expect(ledger.map((e) => [e.seq, e.type])).toEqual([
      [1, 'created'],
      [2, 'started'],
      [3, 'close_requested'],
      [4, 'close_rejected'],
      [5, 'close_requested'],
      [6, 'closed'],
    ]);
    expect(await verify(created.id)).toMatchObject({ valid: true, entries: 6, firstBrokenSeq: null });
    // An approval tells no one; each request told the reviewers once, the rejection the requester.
    expect((await noticesOf(created.id)).map((n) => n.kind).sort()).toEqual(
      [...asked, ...asked]
        .map(() => 'close_requested')
        .concat('close_rejected')
        .sort(),
    );
    t.clock.set('2020-04-15T02:00:00Z');
  });

  describe('who reviews', () => {
    it('never the requester (403, nothing written), an admin included', async () => {
      for (const who of ['caseworker', 'admin'] as const) {
        const { id } = await item();
        await evidence(id, ['image/jpeg']);
        await post(`/api/items/${id}/close`, who, { resolution: '本人核实后申请销号', version: 1 }).expect(200);
        const before = await snapshot(id);
        for (const decision of ['approve', 'reject']) {
          const res = await post(`/api/items/${id}/review`, who, { decision, comment: '本人审核', version: 2 });
          expect(res.status).toBe(403);
          expect(res.body.message).toMatch(/requested by this user/);
        }
        expect(await snapshot(id)).toEqual(before);
        // The request was told to the caseworkers but the one who made it.
        expect((await noticesOf(id)).map((n) => n.userId)).not.toContain(user[who].id);
        // Another reviewer decides.
        const other = who === 'admin' ? 'caseworker' : 'admin';
        await post(`/api/items/${id}/review`, other, { decision: 'approve', version: 2 }).expect(200);
      }
    });

    it('insurance staff review insurance items only, health caseworkers health items only', async () => {
      const insuranceItem = await pendingItem({ category: 'insurance' });
      const healthItem = await pendingItem();
      expect((await noticesOf(insuranceItem.id)).map((n) => n.userId).sort((a, b) => a - b)).toEqual(
        await activeOf('insurance_reconciler'),
      );

      const cases: [Who, { id: number }, number][] = [
        ['caseworker', insuranceItem, 403],
        ['insurance', healthItem, 403],
        ['officer1', healthItem, 403],
        ['officer2', healthItem, 403],
        ['leader', healthItem, 403],
      ];
      for (const [who, target, status] of cases) {
        const before = await snapshot(target.id);
        const res = await post(`/api/items/${target.id}/review`, who, { decision: 'approve', version: 2 });
        expect([who, res.status]).toEqual([who, status]);
        expect(await snapshot(target.id)).toEqual(before);
      }
      const byInsurance = await post(`/api/items/${insuranceItem.id}/review`, 'insurance', {
        decision: 'approve',
        comment: '已核对参保缴费记录',
        version: 2,
      });
      expect(byInsurance.status).toBe(200);
      expect(byInsurance.body.ledger.at(-1)).toMatchObject({
        type: 'closed',
        note: '已核对参保缴费记录',
        payload: { reviewedBy: user.insurance, requestedBy: user.officer1 },
      });
      await post(`/api/items/${healthItem.id}/review`, 'caseworker', { decision: 'approve', version: 2 }).expect(200);
    });
  });

  describe('refusals write nothing', () => {
    it('an item that is not pending: 409 naming status', async () => {
      const open = await item();
      const before = await snapshot(open.id);
      const res = await post(`/api/items/${open.id}/review`, 'caseworker', { decision: 'approve', version: 1 });
      expect(res.status).toBe(409);
      expect(res.body.field).toBe('status');
      expect(await snapshot(open.id)).toEqual(before);

      const pending = await pendingItem();
      await post(`/api/items/${pending.id}/review`, 'caseworker', { decision: 'approve', version: 2 }).expect(200);
      const closed = await snapshot(pending.id);
      await post(`/api/items/${pending.id}/review`, 'admin', {
        decision: 'reject',
        comment: '再审',
        version: 3,
      }).expect(409);
      // A pending item is not closed (nor requested) again.
      const waiting = await pendingItem();
      const again = await post(`/api/items/${waiting.id}/close`, 'officer1', { resolution: '再次申请', version: 2 });
      expect(again.status).toBe(409);
      expect(await snapshot(pending.id)).toEqual(closed);
    });

    it('a stale version: 409 naming version', async () => {
      const pending = await pendingItem();
      const before = await snapshot(pending.id);
      for (const body of [
        { decision: 'approve', version: 1 },
        { decision: 'reject', comment: '请补充材料', version: 3 },
      ]) {
        const res = await post(`/api/items/${pending.id}/review`, 'caseworker', body);
        expect(res.status).toBe(409);
        expect(res.body.field).toBe('version');
      }
      expect(await snapshot(pending.id)).toEqual(before);
    });

    it('a malformed review: 400 naming the field (a rejection needs its comment)', async () => {
      const pending = await pendingItem();
      const before = await snapshot(pending.id);
      const cases: [object, string][] = [
        [{ decision: 'reject', version: 2 }, 'comment'],
        [{ decision: 'reject', comment: ' \u200b ', version: 2 }, 'comment'],
        [{ decision: 'maybe', version: 2 }, 'decision'],
        [{ decision: 'approve' }, 'version'],
        [{ decision: 'approve', comment: 5, version: 2 }, 'comment'],
      ];
      for (const [body, field] of cases) {
        const res = await post(`/api/items/${pending.id}/review`, 'caseworker', body);
        expect([field, res.status]).toEqual([field, 400]);
        expect(JSON.stringify(res.body)).toContain(field);
      }
      expect(await snapshot(pending.id)).toEqual(before);
    });

    it('evidence required and none uploaded: 409 naming attachments', async () => {
      const bare = await item();
      const before = await snapshot(bare.id);
      const res = await post(`/api/items/${bare.id}/close`, 'officer1', { resolution: '整改已完成', version: 1 });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'invalid_transition', field: 'attachments' });
      expect(await snapshot(bare.id)).toEqual(before);
      // Once a file is there, the same request goes through.
      await evidence(bare.id, ['image/jpeg']);
      await post(`/api/items/${bare.id}/close`, 'officer1', { resolution: '整改已完成', version: 1 }).expect(200);
    });
  });

  describe('comments (批注)', () => {
    it('by anyone who reads the item, in any status; another sub-district’s officer gets 404', async () => {
      const target = await pendingItem();
      const byLeader = await post(`/api/items/${target.id}/comments`, 'leader', { note: '请街道加快整改进度' });
      expect(byLeader.status).toBe(200);
      expect(byLeader.body).toMatchObject({ status: 'pending_review', version: 2 });
      expect(byLeader.body.ledger.at(-1)).toMatchObject({
        type: 'comment',
        actorId: user.leader.id,
        actorName: user.leader.name,
        note: '请街道加快整改进度',
      });
      await post(`/api/items/${target.id}/comments`, 'officer1', { note: '已安排村医复核' }).expect(200);
      await post(`/api/items/${target.id}/comments`, 'insurance', { note: '医保局已知悉' }).expect(200);
      const before = await snapshot(target.id);
      await post(`/api/items/${target.id}/comments`, 'officer2', { note: '越界批注' }).expect(404);
      const short = await post(`/api/items/${target.id}/comments`, 'leader', { note: '好' }).expect(400);
      expect(JSON.stringify(short.body)).toContain('note');
      expect(await snapshot(target.id)).toEqual(before);

      await post(`/api/items/${target.id}/review`, 'caseworker', { decision: 'approve', version: 2 }).expect(200);
      await post(`/api/items/${target.id}/comments`, 'leader', { note: '销号后复查：整改属实' }).expect(200);
      const ledger = await ledgerOf(target.id);
      expect(ledger.filter((e) => e.type === 'comment').map((e) => [e.actorId, e.note])).toEqual([
        [user.leader.id, '请街道加快整改进度'],
        [user.officer1.id, '已安排村医复核'],
        [user.insurance.id, '医保局已知悉'],
        [user.leader.id, '销号后复查：整改属实'],
      ]);
      expect(await verify(target.id)).toMatchObject({ valid: true, entries: ledger.length });
    });
  });

  describe('责任人', () => {
    it('set by the officer or the caseworker; the phone masked in the ledger and to roles outside the item', async () => {
      const target = await item();
      const named = await post(`/api/items/${target.id}/assignee`, 'officer1', {
        assigneeName: ' 王建国 ',
        assigneePhone: '139 1234 5678',
        version: 1,
      });
      expect(named.status).toBe(200);
      expect(named.body).toMatchObject({ assigneeName: '王建国', assigneePhone: '13912345678', version: 2 });
      expect(named.body.ledger.at(-1)).toMatchObject({
        type: 'assignee_changed',
        actorId: user.officer1.id,
        payload: {
          assigneeName: { from: null, to: '王建国' },
          assigneePhone: { from: null, to: '139****5678' },
        },
      });
      expect(await itemRow(target.id)).toMatchObject({ assigneeName: '王建国', assigneePhone: '13912345678' });

      const changed = await post(`/api/items/${target.id}/assignee`, 'caseworker', {
        assigneeName: '李秀英',
        assigneePhone: '029-8888 6666',
        version: 2,
      });
      expect(changed.status).toBe(200);
      expect(changed.body.assigneePhone).toBe('029-88886666');
      expect(changed.body.ledger.at(-1).payload).toEqual({
        assigneeName: { from: '王建国', to: '李秀英' },
        assigneePhone: { from: '139****5678', to: '029-****6666' },
      });

      // In full to those who may name the 责任人; masked to the leadership and to insurance staff on a health item.
      const seen: Record<string, string> = {};
      for (const who of ['admin', 'caseworker', 'officer1', 'insurance', 'leader'] as const) {
        const one = await get(`/api/items/${target.id}`, who).expect(200);
        const listed = await get(`/api/items?pageSize=200&campaignId=${reviewed.id}`, who).expect(200);
        const row = listed.body.items.find((i: { id: number }) => i.id === target.id);
        expect(row.assigneePhone).toBe(one.body.assigneePhone);
        expect(one.body.assigneeName).toBe('李秀英');
        seen[who] = one.body.assigneePhone;
        if (seen[who] !== '029-88886666') {
          expect(JSON.stringify(one.body)).not.toContain('88886666');
          expect(JSON.stringify(one.body)).not.toContain('13912345678');
        }
      }
      expect(seen).toEqual({
        admin: '029-88886666',
        caseworker: '029-88886666',
        officer1: '029-88886666',
        insurance: '029-****6666',
        leader: '029-****6666',
      });
      // Insurance staff read their own department's 责任人 in full.
      const insuranceItem = await item({ category: 'insurance' });
      await post(`/api/items/${insuranceItem.id}/assignee`, 'insurance', {
        assigneeName: '赵医保',
        assigneePhone: '13800001111',
        version: 1,
      }).expect(200);
      expect((await get(`/api/items/${insuranceItem.id}`, 'insurance').expect(200)).body.assigneePhone).toBe(
        '13800001111',
      );
      expect((await get(`/api/items/${insuranceItem.id}`, 'leader').expect(200)).body.assigneePhone).toBe(
        '138****1111',
      );
      expect(JSON.stringify(await ledgerOf(insuranceItem.id))).not.toContain('13800001111');
    });

    it('refuses a bad phone, a stale version, the same values, other departments and other sub-districts', async () => {
      const target = await item();
      const before = await snapshot(target.id);
      for (const phone of ['12345', '1391234567x', '029-0888666', '13912345678-1', '']) {
        const res = await post(`/api/items/${target.id}/assignee`, 'officer1', {
          assigneeName: '王建国',
          assigneePhone: phone,
          version: 1,
        });
        expect([phone, res.status]).toEqual([phone, 400]);
        expect(JSON.stringify(res.body)).toContain('assigneePhone');
      }
      const noName = await post(`/api/items/${target.id}/assignee`, 'officer1', {
        assigneeName: '王',
        assigneePhone: '13912345678',
        version: 1,
      });
      expect(noName.status).toBe(400);
      expect(JSON.stringify(noName.body)).toContain('assigneeName');
      const body = { assigneeName: '王建国', assigneePhone: '13912345678', version: 1 };
      await post(`/api/items/${target.id}/assignee`, 'officer2', body).expect(404);
      await post(`/api/items/${target.id}/assignee`, 'insurance', body).expect(403);
      await post(`/api/items/${target.id}/assignee`, 'leader', body).expect(403);
      expect(await snapshot(target.id)).toEqual(before);

      await post(`/api/items/${target.id}/assignee`, 'officer1', body).expect(200);
      const stale = await post(`/api/items/${target.id}/assignee`, 'caseworker', { ...body, assigneeName: '李四' });
      expect(stale.status).toBe(409);
      expect(stale.body.field).toBe('version');
      const same = await post(`/api/items/${target.id}/assignee`, 'officer1', { ...body, version: 2 });
      expect(same.status).toBe(400);
      expect(same.body.field).toBe('assigneeName');
      expect((await ledgerOf(target.id)).map((e) => e.type)).toEqual(['created', 'assignee_changed']);
      // A pending item's 责任人 may still be named (the one who answers for it while it waits).
      const pending = await pendingItem();
      await post(`/api/items/${pending.id}/assignee`, 'officer1', { ...body, version: 2 }).expect(200);
    });
  });

  it('pending items keep escalating, and their notices go to the reviewers instead of the sub-district', async () => {
    // Deadline 2020-05-10: nothing due on 04-15; on 05-01 nine days are left (提醒, level 1).
    const waiting = await pendingItem();
    const working = await item();
    t.clock.set('2020-05-01T02:00:00Z');
    try {
      await post('/api/escalations/run', 'admin', {}).expect(200);
      const rows = await db.getRepository(Item).findBy({ id: In([waiting.id, working.id]) });
      expect(rows.map((r) => [r.id, r.status, r.escalationLevel])).toEqual([
        [waiting.id, 'pending_review', 1],
        [working.id, 'open', 1],
      ]);
      const escalated = async (id: number) =>
        (await noticesOf(id))
          .filter((n) => n.kind === 'escalation' || n.kind === 'digest')
          .map((n) => n.userId)
          .sort((a, b) => a - b);
      expect(await escalated(waiting.id)).toEqual(await activeOf('health_caseworker'));
      expect(await escalated(waiting.id)).not.toContain(user.officer1.id);
      expect(await escalated(working.id)).toContain(user.officer1.id);
      expect(await escalated(working.id)).not.toContain(user.caseworker.id);
      const [notice] = (await noticesOf(waiting.id)).filter((n) => n.kind === 'escalation' || n.kind === 'digest');
      expect(notice.body).toContain('已申请销号');
      expect((await ledgerOf(waiting.id)).at(-1)).toMatchObject({ type: 'escalated', payload: { from: 0, to: 1 } });
      // Listed as not closed, and overdue once past the deadline.
      const open = await get(`/api/items?closed=false&campaignId=${reviewed.id}&pageSize=200`, 'caseworker');
      expect(open.body.items.map((i: { id: number }) => i.id)).toContain(waiting.id);
    } finally {
      t.clock.set('2020-04-15T02:00:00Z');
    }
  });

  it('two API processes on one database approving at once: one closed entry and one 409', async () => {
    const second = await createTestApp(
      t.config.DB_TYPE === 'mysql'
        ? { DB_NAME: t.config.DB_NAME, APP_ROLE: 'api' }
        : { DB_PATH: t.config.DB_PATH, APP_ROLE: 'api' },
    );
    try {
      second.clock.set('2020-04-15T02:00:00Z');
      const adminThere = await second.login('admin', TEST_ADMIN_PASSWORD);
      for (let round = 0; round < 3; round++) {
        const pending = await pendingItem();
        const answers = await Promise.all([
          request(t.http)
            .post(`/api/items/${pending.id}/review`)
            .set('Authorization', token.caseworker)
            .send({ decision: 'approve', version: 2 }),
          request(second.http)
            .post(`/api/items/${pending.id}/review`)
            .set('Authorization', adminThere)
            .send({ decision: 'approve', comment: '督导复核通过', version: 2 }),
        ]);
        expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
        const entries = await ledgerOf(pending.id);
        expect(entries.filter((e) => e.type === 'closed')).toHaveLength(1);
        expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => i + 1));
        const winner = answers.find((r) => r.status === 200)!;
        expect(entries.at(-1)!.actorId).toBe(winner.body.ledger.at(-1).actorId);
        expect(await itemRow(pending.id)).toMatchObject({ status: 'closed', version: 3 });
        expect(await verify(pending.id)).toMatchObject({ valid: true, entries: entries.length });
      }
    } finally {
      await second.close();
    }
  });
});
