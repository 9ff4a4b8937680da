import request from 'supertest';
import { DataSource } from 'typeorm';
import { Item } from '../src/ledger/item.entity.js';
import { householdInput, newIdNumber, SUBDISTRICT_B, VILLAGE_A, VILLAGE_B } from './factories/households.js';
import { newCampaign, newItem, unique } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { pageLogin, type PageAgent } from './utils/pages.js';

/** An attribute's value as the browser reads it (Handlebars escapes `=` and `&`). */
const unescape = (html: string): string => html.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');

interface Row {
  id: number;
  title: string;
  status: string;
  subjectIdNumber: string | null;
  villageName: string | null;
}

/** 整改台账 search, sort and default filter (issue #17, SPEC §6.3): the API, the page and the export agree. */
describe('整改台账 search, sort and the default filter', () => {
  let t: TestApp;
  let caseworker: string;
  let officer1: string;
  let officerPage: PageAgent;
  let campaignId: number;
  const u = unique();
  const names = { head: `搜索户主${u}`, member: `搜索成员${u}`, far: `东塬居民${u}` };
  const ids: Record<string, number> = {};
  let headId = '';

  const person = async (regionCode: string, headName: string, spouseName: string) => {
    headId = newIdNumber('male');
    const res = await request(t.http)
      .post('/api/households')
      .set('Authorization', caseworker)
      .send(
        householdInput({
          regionCode,
          members: [
            { idNumber: headId, name: headName, relation: 'head' },
            { idNumber: newIdNumber('female'), name: spouseName, relation: 'spouse' },
          ],
        }),
      )
      .expect(201);
    return res.body as { id: number; members: { id: number; idNumber: string }[] };
  };

  beforeAll(async () => {
    t = await createTestApp();
    const admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    caseworker = await t.login('caseworker');
    officer1 = await t.login('officer1');
    officerPage = await pageLogin(t.http, 'officer1');
    campaignId = (await newCampaign(t, admin)).id;
    const make = async (name: string, overrides: Record<string, unknown>) => {
      ids[name] = (await newItem(t, caseworker, campaignId, overrides)).id as number;
    };
    const near = await person(VILLAGE_A, names.head, `配偶${u}`);
    ids.headPerson = near.members[0].id;
    const family = await person(VILLAGE_A, `另一户主${u}`, names.member);
    const far = await person(VILLAGE_B, names.far, `东塬配偶${u}`);
    await make('titled', { title: `台账检索标题${u}`, deadline: '2020-06-30' });
    await make('personal', { subjectType: 'person', subjectId: near.members[0].id, deadline: '2020-05-31' });
    await make('household', { subjectType: 'household', subjectId: family.id, deadline: '2020-05-20' });
    await make('meta', { title: `符号%_'\\.*问题${u}`, deadline: '2020-04-30' });
    await make('farAway', {
      regionCode: SUBDISTRICT_B,
      subjectType: 'person',
      subjectId: far.members[0].id,
      deadline: '2020-05-01',
    });
    await make('closed', { title: `已销号问题${u}`, deadline: '2020-04-01' });
    await make('pending', { title: `待审核问题${u}`, deadline: '2020-05-25' });
    const items = t.app.get(DataSource).getRepository(Item);
    await request(t.http)
      .post(`/api/items/${ids.closed}/close`)
      .set('Authorization', caseworker)
      .send({ resolution: '整改完成', version: 1 })
      .expect(200);
    // 待审核 as a reviewed campaign's request leaves it; 督办 as the job would record it.
    await items.update({ id: ids.pending }, { status: 'pending_review' });
    await items.update({ id: ids.titled }, { escalationLevel: 4 });
    headId = near.members[0].idNumber;
  });

  afterAll(() => t.close());

  const list = async (token: string, query: Record<string, string | number>) => {
    const res = await request(t.http)
      .get('/api/items')
      .set('Authorization', token)
      .query({ campaignId, pageSize: 100, ...query })
      .expect(200);
    return res.body as { items: Row[]; total: number };
  };
  const named = (rows: Row[]) => rows.map((r) => Object.keys(ids).find((k) => ids[k] === r.id)).sort();

  it('finds items by a part of the title, the subject person’s name, a household member’s name', async () => {
    expect(named((await list(caseworker, { q: `检索标题${u}` })).items)).toEqual(['titled']);
    expect(named((await list(caseworker, { q: names.head })).items)).toEqual(['personal']);
    expect(named((await list(caseworker, { q: names.member })).items)).toEqual(['household']);
    expect((await list(caseworker, { q: `无此问题${u}` })).total).toBe(0);
  });

  it('finds the person by the last four digits of the ID number', async () => {
    const tail = headId.slice(-4);
    const found = await list(caseworker, { q: tail });
    expect(found.items.map((r) => r.id)).toContain(ids.personal);
    for (const row of found.items) {
      expect(row.title.includes(tail) || row.subjectIdNumber?.endsWith(tail)).toBe(true);
    }
    // A masked number shows the same four digits: what the user reads is what the search finds.
    expect(found.items.find((r) => r.id === ids.personal)!.subjectIdNumber).toBe(
      `${headId.slice(0, 6)}********${tail}`,
    );
  });

  it.each(['%', '_', "'", '\\', '.*', `%_'\\.*`])('takes %j as plain text', async (text) => {
    const found = await list(caseworker, { q: text });
    expect(named(found.items)).toEqual(['meta']);
  });

  it('keeps an officer to their sub-district: another street’s resident is not found', async () => {
    expect(named((await list(caseworker, { q: names.far })).items)).toEqual(['farAway']);
    expect((await list(officer1, { q: names.far })).total).toBe(0);
    expect(named((await list(officer1, { q: names.head })).items)).toEqual(['personal']);
  });

  it('sorts by deadline or by level; a bad sort is 400 naming it', async () => {
    const byDeadline = await list(caseworker, { closed: 'false', sort: 'deadline' });
    expect(byDeadline.items.map((r) => r.id)).toEqual(
      ['meta', 'farAway', 'household', 'pending', 'personal', 'titled'].map((k) => ids[k]),
    );
    const byLevel = await list(caseworker, { closed: 'false', sort: 'level' });
    expect(byLevel.items[0].id).toBe(ids.titled);
    const bad = await request(t.http)
      .get('/api/items')
      .set('Authorization', caseworker)
      .query({ sort: 'title; DROP TABLE items' })
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('sort');
  });

  it('names the village in the API and in the list page', async () => {
    const found = await list(caseworker, { q: names.head });
    expect(found.items[0].villageName).toBeTruthy();
    const page = await officerPage.get('/items').query({ campaignId, q: names.head }).expect(200);
    expect(page.text).toContain(found.items[0].villageName!);
    expect(page.text).toContain('村（社区）');
  });

  it('opens the page on 未销号 (待审核 included), most urgent first, the filter written into its links', async () => {
    const bare = await officerPage.get('/items').expect(200);
    // The form shows the default, and the links (pager, export) carry it.
    expect(bare.text).toMatch(/<option value="false" selected>未销号（含待审核）<\/option>/);
    expect(bare.text).toMatch(/href="\/api\/items\/export\?closed&#x3D;false&amp;format&#x3D;csv"/);
    const page = await officerPage.get(`/items?closed=false&sort=deadline&campaignId=${campaignId}`).expect(200);
    const shown = [...page.text.matchAll(/data-item="(\d+)"/g)].map((m) => Number(m[1]));
    // officer1's: not the closed item, the 待审核 one included, the overdue first (today 2020-04-15).
    expect(shown).toEqual(['meta', 'household', 'pending', 'personal', 'titled'].map((k) => ids[k]));
    const api = await list(officer1, { closed: 'false', sort: 'deadline' });
    expect(api.items.map((r) => r.id)).toEqual(shown);
  });

  it('keeps the filter and the search in the pager’s and the export’s links', async () => {
    const page = await officerPage
      .get('/items')
      .query({ campaignId, closed: 'false', sort: 'level', q: u, pageSize: 1 })
      .expect(200);
    const next = unescape(/href="([^"]+)" rel="next"/.exec(page.text)![1]);
    const params = new URL(next, 'http://x').searchParams;
    expect(Object.fromEntries(params)).toMatchObject({
      campaignId: String(campaignId),
      closed: 'false',
      sort: 'level',
      q: u,
      page: '2',
      pageSize: '1',
    });
    const csvLink = unescape(/href="(\/api\/items\/export\?[^"]+format&#x3D;csv)"/.exec(page.text)![1]);
    const csv = await officerPage.get(csvLink).expect(200);
    const api = await list(officer1, { closed: 'false', q: u });
    const exported = csv.text.trim().split('\n').slice(1);
    expect(exported).toHaveLength(api.total);
    for (const row of api.items) {
      expect(csv.text).toContain(row.title);
    }
  });

  it('offers 全部 without falling back to the default', async () => {
    const page = await officerPage.get('/items').query({ campaignId, closed: '' }).expect(200);
    expect(page.text).toContain(`data-item="${ids.closed}"`);
  });
});
