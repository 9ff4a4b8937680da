import request from 'supertest';
import { DataSource } from 'typeorm';
import { inTransaction } from '../src/database/transaction.js';
import { Item } from '../src/ledger/item.entity.js';
import { ItemsService } from '../src/ledger/items.service.js';
import { householdInput, newIdNumber } from './factories/households.js';
import { newCampaign, unique } from './factories/items.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';
import { binaryParser, bodyText } from './utils/crawl.js';
import { pageLogin } from './utils/pages.js';

/**
 * Issue #12: diagnoses and names reached the leadership through item titles, ledger payloads,
 * notices, /items and the bulletin. Generated titles now name the gap; what older versions wrote is
 * taken out on the way out, per role: the leadership (viewer) reads no resident's name and no
 * diagnosis of a resident; officers and insurance staff read a sensitive diagnosis as 敏感病种; the
 * roles that treat (admin, health caseworker) read everything.
 */
type Who = 'admin' | 'caseworker' | 'insurance' | 'officer1' | 'leader';

describe('diagnoses and names, per role (issue #12)', () => {
  let t: TestApp;
  const token = {} as Record<Who, string>;
  let campaignId: number;
  /** Two residents of 城关街道, with a sensitive and an ordinary diagnosis, unique names. */
  const mentalName = `赵${unique().slice(-3)}怡`;
  const cancerName = `杨${unique().slice(-3)}霞`;
  let householdId: number;
  const itemIds: number[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    token.admin = await t.login('admin', TEST_ADMIN_PASSWORD);
    for (const who of ['caseworker', 'insurance', 'officer1', 'leader'] as const) {
      token[who] = await t.login(who);
    }
    const household = await request(t.http)
      .post('/api/households')
      .set('Authorization', token.caseworker)
      .send(
        householdInput({
          members: [
            { idNumber: newIdNumber('female'), name: mentalName, relation: 'head' },
            { idNumber: newIdNumber('female'), name: cancerName, relation: 'spouse' },
          ],
        }),
      )
      .expect(201);
    householdId = household.body.id;
    const [mental, cancer] = household.body.members as { id: number }[];
    const condition = (personId: number, diseaseCode: string, treatmentCategory: string) =>
      request(t.http)
        .post(`/api/persons/${personId}/conditions`)
        .set('Authorization', token.caseworker)
        .send({ diseaseCode, diagnosedOn: '2019-03-01', treatmentCategory })
        .expect(201);
    await condition(mental.id, 'severe_mental', 'contracted');
    await condition(cancer.id, 'lung_cancer', 'concentrated');
    // A campaign already overdue by two weeks: its items reach 督办, whose notices go to the leadership too.
    campaignId = (await newCampaign(t, token.admin, { deadline: '2020-04-01' })).id;
    // Items as older versions filed them: the name and the diagnosis in the title (and so in the ledger).
    const db = t.app.get(DataSource);
    await inTransaction(db, (em) =>
      t.app.get(ItemsService).createMany(
        em,
        [
          [mental.id, `慢病患者未签约家庭医生：${mentalName}（严重精神障碍）`, 'contract'],
          [cancer.id, `大病患者未救治：${cancerName}（肺癌）`, 'treatment'],
        ].map(([personId, title, category]) => ({
          campaignId,
          category: category as 'contract' | 'treatment',
          title: title as string,
          subjectType: 'person' as const,
          subjectId: personId as number,
          regionCode: '610199001000',
          responsibleDept: 'health' as const,
          source: 'check' as const,
          dedupeKey: `legacy:${unique()}`,
        })),
        { id: null, name: 'caseworker' },
      ),
    );
    const items = await db.getRepository(Item).find({ where: { campaignId }, order: { id: 'ASC' } });
    itemIds.push(...items.map((i) => i.id));
    await request(t.http)
      .post(`/api/items/${itemIds[0]}/progress`)
      .set('Authorization', token.officer1)
      .send({ note: `已联系${mentalName}家属，约定下周签约` })
      .expect(200);
    await request(t.http).post('/api/escalations/run').set('Authorization', token.admin).send({}).expect(200);
  });

  afterAll(() => t.close());

  /** What a role reads: the campaign's items (list, each with its ledger, exports), notices, and their pages. */
  async function readsOf(who: Who): Promise<{ url: string; text: string }[]> {
    const api = [
      `/api/items?campaignId=${campaignId}`,
      ...itemIds.map((id) => `/api/items/${id}`),
      `/api/items/export?format=csv&campaignId=${campaignId}`,
      `/api/items/export?format=xlsx&campaignId=${campaignId}`,
      '/api/notifications?pageSize=200',
    ];
    const agent = await pageLogin(t.http, who, who === 'admin' ? TEST_ADMIN_PASSWORD : undefined);
    const pages = [
      `/items?campaignId=${campaignId}`,
      ...itemIds.map((id) => `/items/${id}`),
      `/bulletin?campaignId=${campaignId}`,
      '/notifications',
      ...(who === 'leader' ? [] : [`/households/${householdId}`]),
    ];
    const read: { url: string; text: string }[] = [];
    for (const url of api) {
      const res = await request(t.http).get(url).set('Authorization', token[who]).buffer(true).parse(binaryParser);
      expect(res.status).toBe(200);
      read.push({ url, text: await bodyText(res) });
    }
    for (const url of pages) {
      const res = await agent.get(url).expect(200);
      read.push({ url, text: res.text });
    }
    return read;
  }

  const holding = (reads: { url: string; text: string }[], word: string) =>
    reads.filter((r) => r.text.includes(word)).map((r) => r.url);

  it('the leadership reads no resident name and no diagnosis of theirs: items, ledger, exports, notices, bulletin', async () => {
    const reads = await readsOf('leader');
    for (const word of [mentalName, cancerName, '严重精神障碍', '肺癌']) {
      expect({ word, in: holding(reads, word) }).toEqual({ word, in: [] });
    }
    // What the leadership does read: the gap, and that someone was contacted.
    const item = JSON.parse(reads.find((r) => r.url === `/api/items/${itemIds[0]}`)!.text);
    expect(item).toMatchObject({
      title: '慢病患者未签约家庭医生：某某（某病种）',
      subjectName: null,
      subjectIdNumber: null,
    });
    expect(item.ledger.map((e: { note: string | null }) => e.note)).toContain('已联系某某家属，约定下周签约');
    expect(item.ledger[0].payload.title).toBe('慢病患者未签约家庭医生：某某（某病种）');
    const notices = JSON.parse(reads.find((r) => r.url.startsWith('/api/notifications'))!.text);
    expect(notices.items.some((n: { title: string }) => n.title.includes('某某（某病种）'))).toBe(true);
  });

  it.each(['officer1', 'insurance'] as const)(
    'as %s: a sensitive diagnosis reads 敏感病种 everywhere; names and other diagnoses as they are',
    async (who) => {
      const reads = await readsOf(who);
      expect(holding(reads, '严重精神障碍')).toEqual([]);
      expect(holding(reads, '敏感病种')).toContain(`/api/items/${itemIds[0]}`);
      expect(holding(reads, '敏感病种')).toContain(`/households/${householdId}`);
      expect(holding(reads, '肺癌')).toContain(`/api/items/${itemIds[1]}`);
      expect(holding(reads, mentalName)).toContain(`/api/items/${itemIds[0]}`);
      const household = await request(t.http).get(`/api/households/${householdId}`).set('Authorization', token[who]);
      expect(household.body.members[0].conditions[0]).toMatchObject({
        diseaseCode: 'sensitive',
        diseaseName: '敏感病种',
      });
      expect(JSON.stringify(household.body)).not.toContain('severe_mental');
    },
  );

  it.each(['admin', 'caseworker'] as const)('as %s (who treat): every diagnosis as recorded', async (who) => {
    const reads = await readsOf(who);
    expect(holding(reads, '严重精神障碍')).toEqual(
      expect.arrayContaining([`/api/items/${itemIds[0]}`, `/households/${householdId}`]),
    );
    expect(holding(reads, '敏感病种')).toEqual([]);
  });

  it('the gap checks file titles that name the gap, not the person or the diagnosis', async () => {
    const own = await newCampaign(t, token.admin);
    const run = await request(t.http)
      .post('/api/checks/run')
      .set('Authorization', token.caseworker)
      .send({ campaignId: own.id, asOf: '2020-04-15' })
      .expect(200);
    expect(run.body.opened.chronic_without_contract).toBeGreaterThan(0);
    const items = await t.app
      .get(DataSource)
      .getRepository(Item)
      .find({ where: { campaignId: own.id } });
    const gaps = ['慢病患者未签约家庭医生', '家庭医生签约随访次数不足', '未参加2020年度基本医疗保险', '大病患者未救治'];
    expect(items.length).toBeGreaterThan(0);
    expect(items.filter((i) => !gaps.includes(i.title))).toEqual([]);
    const detail = await request(t.http).get(`/api/items/${items[0].id}`).set('Authorization', token.admin);
    expect(detail.body.ledger[0].payload.title).toBe(items[0].title);
    expect(detail.body.subjectName).toEqual(expect.any(String));
  });
});
