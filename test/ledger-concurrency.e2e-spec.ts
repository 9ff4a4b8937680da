import request from 'supertest';
import { DataSource, In } from 'typeorm';
import { authUserOf } from '../src/auth/auth-user.js';
import { User } from '../src/auth/user.entity.js';
import { AppError } from '../src/common/app-error.js';
import { inTransaction } from '../src/database/transaction.js';
import { Item } from '../src/ledger/item.entity.js';
import { ItemsService, type NewItem } from '../src/ledger/items.service.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { LedgerService, SYSTEM_ACTOR } from '../src/ledger/ledger.service.js';
import { SUBDISTRICT_B, VILLAGE_A } from './factories/households.js';
import { newCampaign, newItem, unique } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { statementsSent } from './utils/statements.js';

describe('the ledger under concurrent writers, and bulk writes', () => {
  let t: TestApp;
  let db: DataSource;
  let caseworker: string;
  let officer1: string;
  let campaignId: number;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DataSource);
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    officer1 = await t.login('officer1');
    campaignId = (await newCampaign(t, admin)).id;
  });

  afterAll(() => t.close());

  const post = (path: string, token: string, body: object = {}) =>
    request(t.http).post(path).set('Authorization', token).send(body);
  const ledgerOf = (itemId: number) => db.getRepository(LedgerEntry).find({ where: { itemId }, order: { seq: 'ASC' } });
  const verify = async (itemId: number) =>
    (await request(t.http).get(`/api/items/${itemId}/ledger/verify`).set('Authorization', caseworker).expect(200)).body;

  it('a close (closeReview off) takes at most five round trips, and answers the item with its whole ledger', async () => {
    const items = t.app.get(ItemsService);
    const user = authUserOf(await db.getRepository(User).findOneByOrFail({ username: 'officer1' }));
    const [warm, item] = [await newItem(t, caseworker, campaignId), await newItem(t, caseworker, campaignId)];
    await post(`/api/items/${item.id}/progress`, officer1, { note: '已入户核实' }).expect(200);
    await items.close(user, warm.id, { resolution: '先行销号一件', version: 1 });
    const { result: closed, sent } = await statementsSent(db, () =>
      items.close(user, item.id, { resolution: '已整改到位并核实', version: 1 }),
    );
    expect(sent.length).toBeLessThanOrEqual(5);
    expect(sent.join('\n')).toMatch(/FOR UPDATE|SELECT/);
    expect(closed).toMatchObject({ id: item.id, status: 'closed', version: 2, campaignId, attachmentCount: 0 });
    expect(closed.campaignName).toBeTruthy();
    expect(closed.regionName).toBeTruthy();
    // The answer lists what the database holds, the new entry last, and the item's tail is that entry.
    const stored = await ledgerOf(item.id);
    expect(closed.ledger.map((e) => [e.seq, e.type, e.hash])).toEqual(stored.map((e) => [e.seq, e.type, e.hash]));
    expect(stored.map((e) => e.type)).toEqual(['created', 'progress', 'closed']);
    expect(await db.getRepository(Item).findOneByOrFail({ id: item.id })).toMatchObject({
      ledgerSeq: 3,
      ledgerHash: stored[2].hash,
      version: 2,
    });
    // What a read answers afterwards is what the close answered (names, version; updatedAt within the second).
    const read = (await request(t.http).get(`/api/items/${item.id}`).set('Authorization', officer1).expect(200)).body;
    const { updatedAt, ...shown } = JSON.parse(JSON.stringify(closed)) as Record<string, unknown>;
    const { updatedAt: readAt, ...readShown } = read as Record<string, unknown>;
    expect(readShown).toEqual(shown);
    expect(Math.abs(Date.parse(String(readAt)) - Date.parse(String(updatedAt)))).toBeLessThan(1000);
    expect(await verify(item.id)).toMatchObject({ valid: true, entries: 3 });
  });

  it('two closes of the same item at the same moment: one 200, one 409, one closed entry', async () => {
    for (let round = 0; round < 3; round++) {
      const { id } = await newItem(t, caseworker, campaignId);
      const answers = await Promise.all([
        post(`/api/items/${id}/close`, officer1, { resolution: '街道已整改完成', version: 1 }),
        post(`/api/items/${id}/close`, caseworker, { resolution: '卫健局核实销号', version: 1 }),
      ]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      const entries = await ledgerOf(id);
      expect(entries.filter((e) => e.type === 'closed')).toHaveLength(1);
      expect(entries.map((e) => e.seq)).toEqual([1, 2]);
      const row = await db.getRepository(Item).findOneByOrFail({ id });
      const winner = answers.find((r) => r.status === 200)!;
      expect(row).toMatchObject({ status: 'closed', version: 2, resolution: winner.body.resolution });
      expect(await verify(id)).toMatchObject({ valid: true, entries: 2 });
    }
  });

  it('closes of many neighbouring items at once all succeed: no deadlock between their ledger appends', async () => {
    const users = await db.getRepository(User).findBy({ username: In(['officer1', 'caseworker']) });
    const actors = users.map(authUserOf);
    const ids: number[] = [];
    for (let i = 0; i < 24; i++) {
      ids.push((await newItem(t, caseworker, campaignId)).id);
    }
    const items = t.app.get(ItemsService);
    const results = await Promise.allSettled(
      ids.map((id, i) => items.close(actors[i % 2], id, { resolution: '并发销号测试', version: 1 })),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    for (const id of ids) {
      expect((await ledgerOf(id)).map((e) => e.type)).toEqual(['created', 'closed']);
    }
  });

  it('the same through the service, both transactions starting in one tick (SQLite: they take turns)', async () => {
    const users = await db.getRepository(User).findBy({ username: In(['officer1', 'caseworker']) });
    const [a, b] = users.map(authUserOf);
    const items = t.app.get(ItemsService);
    for (let round = 0; round < 3; round++) {
      const { id } = await newItem(t, caseworker, campaignId);
      const answers = await Promise.allSettled([
        items.close(a, id, { resolution: '街道已整改完成', version: 1 }),
        items.close(b, id, { resolution: '卫健局核实销号', version: 1 }),
        items.progress(b, id, { note: '同时补记的进展' }),
      ]);
      const [first, second] = answers;
      expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
      const refused = [first, second].find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(refused?.reason).toBeInstanceOf(AppError);
      const entries = await ledgerOf(id);
      expect(entries.filter((e) => e.type === 'closed')).toHaveLength(1);
      expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: entries.length }, (_, i) => i + 1));
      expect(await verify(id)).toMatchObject({ valid: true });
    }
  });

  it('many notes at once: none is lost and the chain does not fork', async () => {
    const { id } = await newItem(t, caseworker, campaignId);
    const notes = Array.from({ length: 8 }, (_, i) => `第${i + 1}次进展`);
    const answers = await Promise.all(
      notes.map((note, i) => post(`/api/items/${id}/progress`, i % 2 ? caseworker : officer1, { note })),
    );
    expect(answers.map((r) => r.status)).toEqual(notes.map(() => 200));
    const entries = await ledgerOf(id);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 9 }, (_, i) => i + 1));
    expect(
      entries
        .slice(1)
        .map((e) => e.note)
        .sort(),
    ).toEqual([...notes].sort());
    expect(await verify(id)).toEqual({
      valid: true,
      entries: 9,
      firstBrokenSeq: null,
      files: { checked: 0, altered: [], missing: [] },
    });
  });

  it('appendMany chains entries for many items after their last ones, beside a user writing at once', async () => {
    const a = await newItem(t, caseworker, campaignId);
    const b = await newItem(t, caseworker, campaignId, { regionCode: SUBDISTRICT_B });
    await post(`/api/items/${a.id}/start`, officer1).expect(200);
    const ledger = t.app.get(LedgerService);
    const at = t.clock.now().toISOString();
    const [written, note] = await Promise.all([
      inTransaction(db, (em) =>
        ledger.appendMany(em, [
          { itemId: a.id, type: 'escalated', actor: SYSTEM_ACTOR, at, payload: { from: 0, to: 1 } },
          { itemId: b.id, type: 'escalated', actor: SYSTEM_ACTOR, at, payload: { from: 0, to: 3 } },
          { itemId: a.id, type: 'escalated', actor: SYSTEM_ACTOR, at, payload: { from: 1, to: 2 } },
        ]),
      ),
      post(`/api/items/${a.id}/progress`, officer1, { note: '同时写入的进展' }),
    ]);
    expect(written).toBe(3);
    expect(note.status).toBe(200);
    const entriesA = await ledgerOf(a.id);
    expect(entriesA.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(entriesA.filter((e) => e.type === 'escalated').map((e) => e.payload)).toEqual([
      '{"from":0,"to":1}',
      '{"from":1,"to":2}',
    ]);
    expect(entriesA.find((e) => e.type === 'escalated')).toMatchObject({ actorId: null, actorName: '系统' });
    expect((await ledgerOf(b.id)).map((e) => [e.seq, e.type])).toEqual([
      [1, 'created'],
      [2, 'escalated'],
    ]);
    expect(await verify(a.id)).toMatchObject({ valid: true, entries: 5 });
    expect(await verify(b.id)).toMatchObject({ valid: true, entries: 2 });
    await expect(inTransaction(db, (em) => ledger.appendMany(em, []))).resolves.toBe(0);
  });

  describe('ItemsService.createMany (for the gap checks)', () => {
    const gap = (key: string, overrides: Partial<NewItem> = {}): NewItem => ({
      campaignId,
      category: 'contract',
      title: '慢病患者未签约家庭医生',
      subjectType: null,
      subjectId: null,
      regionCode: VILLAGE_A,
      responsibleDept: 'health',
      source: 'check',
      dedupeKey: key,
      ...overrides,
    });
    const createMany = (items: NewItem[]) =>
      inTransaction(db, (em) => t.app.get(ItemsService).createMany(em, items, { id: null, name: '查漏补缺' }));
    const byKeys = (keys: string[]) =>
      db.getRepository(Item).find({ where: { dedupeKey: In(keys) }, order: { id: 'ASC' } });

    it('files each key once, skips keys already open, and files a key again once its item is closed', async () => {
      const keys = [`test_rule:person:${unique()}`, `test_rule:person:${unique()}`, `test_rule:person:${unique()}`];
      await expect(createMany([gap(keys[0]), gap(keys[1]), gap(keys[0], { title: '重复' })])).resolves.toBe(2);
      await expect(createMany(keys.map((k) => gap(k)))).resolves.toBe(1);
      await expect(createMany(keys.map((k) => gap(k)))).resolves.toBe(0);

      const items = await byKeys(keys);
      expect(items).toHaveLength(3);
      expect(items[0]).toMatchObject({
        regionCode: '610199001000',
        deadline: '2020-05-31',
        source: 'check',
        status: 'open',
        version: 1,
        openKey: keys[0],
        createdById: null,
      });
      for (const item of items) {
        const entries = await ledgerOf(item.id);
        expect(entries).toHaveLength(1);
        expect(entries[0]).toMatchObject({ seq: 1, type: 'created', actorName: '查漏补缺' });
        expect(await verify(item.id)).toMatchObject({ valid: true });
      }

      const first = items[0];
      await post(`/api/items/${first.id}/close`, officer1, { resolution: '已完成签约', version: 1 }).expect(200);
      expect((await db.getRepository(Item).findOneByOrFail({ id: first.id })).openKey).toBeNull();
      await expect(createMany([gap(keys[0])])).resolves.toBe(1);
      const reopen = await post(`/api/items/${first.id}/reopen`, caseworker, { reason: '复核' }).expect(409);
      expect(reopen.body.field).toBe('dedupeKey');
      expect((await db.getRepository(Item).findOneByOrFail({ id: first.id })).status).toBe('closed');
    });

    it('restores the open key on reopen when no other item holds it', async () => {
      const key = `test_rule:household:${unique()}`;
      await createMany([gap(key)]);
      const [item] = await byKeys([key]);
      await post(`/api/items/${item.id}/close`, officer1, { resolution: '已整改到位', version: 1 }).expect(200);
      await post(`/api/items/${item.id}/reopen`, caseworker, { reason: '复核不合格' }).expect(200);
      expect((await db.getRepository(Item).findOneByOrFail({ id: item.id })).openKey).toBe(key);
      await expect(createMany([gap(key)])).resolves.toBe(0);
    });

    it('writes nothing when an item refers to an unknown campaign', async () => {
      const key = `test_rule:person:${unique()}`;
      await expect(createMany([gap(key, { campaignId: 99999999 })])).rejects.toMatchObject({ field: 'campaignId' });
      expect(await byKeys([key])).toHaveLength(0);
    });

    it('files hundreds in a few statements', async () => {
      const keys = Array.from({ length: 700 }, () => `test_bulk:person:${unique()}`);
      await expect(createMany(keys.map((k) => gap(k)))).resolves.toBe(700);
      const entries = await db
        .getRepository(LedgerEntry)
        .createQueryBuilder('l')
        .innerJoin(Item, 'i', 'i.id = l.itemId')
        .where('i.dedupeKey IN (:...keys)', { keys })
        .getCount();
      expect(entries).toBe(700);
    });
  });
});
