import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Attachment } from '../src/ledger/attachment.entity.js';
import { Item } from '../src/ledger/item.entity.js';
import { LedgerEntry } from '../src/ledger/ledger-entry.entity.js';
import { pdfDocument, photoJpeg, photoPng, sha256 } from './factories/evidence.js';
import { type CampaignBody, newCampaign, newItem, unique } from './factories/items.js';
import { launchBrowser, screenshot, serve, signIn } from './utils/browser.js';
import { createTestApp, TEST_ADMIN_PASSWORD, type TestApp } from './utils/create-test-app.js';

const WIDTHS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/**
 * Issue #15, done when, in Chromium at desktop and phone width: the whole 销号 round in the pages —
 * the officer names the 责任人, uploads two photos and requests 销号; the caseworker finds it in 待审核
 * and sends it back with a comment (a 退回 without one is refused, the page says why); the officer
 * adds a PDF and requests again; the caseworker approves from the 待审核 list. Screenshots go to
 * test/artifacts/.
 */
describe('pages: the 销号 round with evidence (issue 15)', () => {
  let t: TestApp;
  let db: DataSource;
  let base: string;
  let browser: Browser;
  let uploads: string;
  let caseworker: string;
  let campaign: CampaignBody;
  /** Every dialog a page opened: none is expected. */
  const dialogs: string[] = [];

  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'hpa-pages-review-'));
    // A database of its own: the demo's evidence files are in this UPLOAD_DIR.
    t = await createTestApp({ UPLOAD_DIR: uploads, EVIDENCE_MAX_MB: '1' }, { freshDatabase: true });
    t.clock.set('2020-04-20T02:00:00Z');
    db = t.app.get(DataSource);
    base = await serve(t);
    browser = await launchBrowser();
    caseworker = await t.login('caseworker');
    campaign = await newCampaign(t, await t.login('admin', TEST_ADMIN_PASSWORD), {
      name: `销号审核专项${unique()}`,
      closeReview: true,
      deadline: '2020-05-31',
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t.close();
    rmSync(uploads, { recursive: true, force: true });
  });

  /** A page in a fresh browser context, signed in as `username`, at the width. */
  async function as(username: string, width: number, height: number): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width, height }, locale: 'zh-CN' });
    const page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signIn(page, base, username);
    return { context, page };
  }

  const text = async (page: Page, selector: string) =>
    ((await page.locator(selector).first().textContent()) ?? '').trim();
  const ledgerTypes = async (itemId: number) =>
    (await db.getRepository(LedgerEntry).find({ where: { itemId }, order: { seq: 'ASC' } })).map((e) => e.type);
  /** The page does not scroll sideways (wide tables scroll in their wrapper). */
  const sideways = (page: Page) =>
    page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

  /** Uploads one file through the item page's 佐证材料 form and waits for the page to come back. */
  async function uploadFile(page: Page, itemId: number, name: string, mimeType: string, buffer: Buffer) {
    await page.setInputFiles('.upload-evidence input[name="file"]', { name, mimeType, buffer });
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/items/${itemId}/attachments`) && r.request().method() === 'POST'),
      page.click('.upload-evidence button[type="submit"]'),
    ]);
    await page.waitForLoadState('load');
    return response;
  }

  /** Whether every thumbnail on the page has loaded a picture (scrolled into view first: they load lazily). */
  async function thumbnailsLoaded(page: Page): Promise<number[]> {
    const images = page.locator('.evidence-photo img');
    const widths: number[] = [];
    for (let i = 0; i < (await images.count()); i++) {
      const image = images.nth(i);
      await image.scrollIntoViewIfNeeded();
      await page.waitForFunction(
        (img) => (img as unknown as { complete: boolean }).complete,
        await image.elementHandle(),
      );
      widths.push(await image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth));
    }
    return widths;
  }

  it.each(WIDTHS)('the whole round in the pages ($name)', async ({ name, width, height }) => {
    const title = `柳树村卫生室缺少血压计${unique()}`;
    const item = (await newItem(t, caseworker, campaign.id, { title })) as { id: number };
    const photos = [await photoJpeg(name === 'desktop' ? '#2e7d32' : '#00838f'), await photoPng('#1565c0')];
    const pdf = pdfDocument(`receipt ${unique()}`);

    // 1. The officer: 责任人, two photos, 申请销号.
    const officer = await as('officer1', width, height);
    let page = officer.page;
    await page.click('nav.nav >> text=整改台账');
    await page.waitForURL(`${base}/items`);
    await page.goto(`${base}/items?campaignId=${campaign.id}`);
    await Promise.all([page.waitForURL(`${base}/items/${item.id}`), page.click(`text=${title}`)]);
    await expect(text(page, '.close-form button[type="submit"]')).resolves.toBe('申请销号');
    await expect(text(page, '.close-form .evidence-missing')).resolves.toContain('还没有佐证材料');
    // Too early: the campaign requires evidence; the page says so and keeps the text.
    await page.fill('textarea[name="resolution"]', '已购置电子血压计');
    const [early] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/items/${item.id}/close`)),
      page.click('.close-form button[type="submit"]'),
    ]);
    expect(early.status()).toBe(409);
    await expect(text(page, '.alert-error')).resolves.toContain('请先上传至少一份照片或扫描件');
    await expect(page.locator('textarea[name="resolution"]').inputValue()).resolves.toBe('已购置电子血压计');

    await page.fill('input[name="assigneeName"]', '王建国');
    await page.fill('input[name="assigneePhone"]', '139 1234 5678');
    await Promise.all([page.waitForURL(/done=assign/), page.click('.assignee-form button[type="submit"]')]);
    await expect(text(page, '.fact-assignee dd')).resolves.toContain('王建国');
    await expect(text(page, '.fact-assignee dd')).resolves.toContain('13912345678');

    // Not a photo by its bytes: refused (415) with the reason, nothing kept.
    const html = await uploadFile(page, item.id, '现场.jpg', 'image/jpeg', Buffer.from('<html><body>x</body></html>'));
    expect(html.status()).toBe(415);
    await expect(text(page, '.alert-error')).resolves.toContain('只能上传 JPEG 或 PNG 照片、PDF 文件');
    expect(await db.getRepository(Attachment).countBy({ itemId: item.id })).toBe(0);

    expect((await uploadFile(page, item.id, '血压计到位.jpg', 'image/jpeg', photos[0])).status()).toBe(303);
    await expect(text(page, '.alert-success')).resolves.toBe('已上传佐证材料。');
    expect((await uploadFile(page, item.id, '村医培训.png', 'image/png', photos[1])).status()).toBe(303);
    await expect(page.locator('.evidence-photo').count()).resolves.toBe(2);
    expect((await thumbnailsLoaded(page)).every((w) => w > 0 && w <= 320)).toBe(true);
    await expect(page.locator('.evidence-photo a').first().getAttribute('href')).resolves.toMatch(
      /^\/api\/attachments\/\d+$/,
    );
    // The timeline names each file and the start of its hash.
    const added = page.locator('.timeline-entry.entry-attachment_added .entry-detail');
    await expect(added.first().textContent()).resolves.toContain(`「血压计到位.jpg」`);
    await expect(added.first().textContent()).resolves.toContain(sha256(photos[0]).slice(0, 12));

    await page.fill('textarea[name="resolution"]', '已购置电子血压计并完成村医培训');
    await Promise.all([page.waitForURL(/done=close/), page.click('.close-form button[type="submit"]')]);
    await expect(text(page, '.alert-success')).resolves.toContain('已提交销号申请');
    await expect(text(page, '.item-status .badge.status-pending-review')).resolves.toBe('待审核');
    await expect(text(page, '.review-request')).resolves.toContain('城关街道 王专干');
    // The requester sees the request, never the buttons; no upload while it waits.
    await expect(page.locator('.review-form').count()).resolves.toBe(0);
    await expect(page.locator('.upload-evidence').count()).resolves.toBe(0);
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await screenshot(page, `review-requested-${name}`);
    await officer.context.close();

    // 2. The caseworker: 待审核 → the item → 退回 (a comment is required).
    const reviewer = await as('caseworker', width, height);
    page = reviewer.page;
    await expect(page.locator('.review-queue-note a[href="/items/review"]').count()).resolves.toBe(1);
    await Promise.all([page.waitForURL(`${base}/items/review`), page.click('nav.nav >> text=待审核')]);
    const row = page.locator(`tr[data-item="${item.id}"]`);
    await expect(row.locator('.requester').textContent()).resolves.toBe('城关街道 王专干');
    await expect(row.locator('.evidence-count').textContent()).resolves.toBe('2 份');
    await expect(row.locator('.days-left').textContent()).resolves.toBe('剩余 41 天');
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await screenshot(page, `review-queue-${name}`);
    await Promise.all([page.waitForURL(`${base}/items/${item.id}#review`), row.locator('.item-title a').click()]);
    await expect(page.locator('.review-request .hash-list li').count()).resolves.toBe(2);
    const [bare] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith(`/items/${item.id}/review`)),
      page.click('.review-form button[value="reject"]'),
    ]);
    expect(bare.status()).toBe(400);
    await expect(text(page, '.review-form .field-error')).resolves.toBe('请填写审核意见');
    await page.fill('textarea[name="comment"]', '照片看不清血压计型号，请补充采购凭证');
    await Promise.all([page.waitForURL(/done=reject/), page.click('.review-form button[value="reject"]')]);
    await expect(text(page, '.alert-success')).resolves.toContain('已退回');
    await expect(text(page, '.item-status .badge')).resolves.toBe('整改中');
    await reviewer.context.close();

    // 3. The officer: the comment in the timeline, a PDF, 申请销号 again.
    const again = await as('officer1', width, height);
    page = again.page;
    await page.goto(`${base}/items/${item.id}`);
    const rejection = page.locator('.timeline-entry.entry-close_rejected');
    await expect(rejection.locator('.note').textContent()).resolves.toBe('照片看不清血压计型号，请补充采购凭证');
    await expect(rejection.locator('.entry-detail').textContent()).resolves.toContain('城关街道 王专干');
    expect((await uploadFile(page, item.id, '采购凭证.pdf', 'application/pdf', pdf)).status()).toBe(303);
    const document = page.locator('.evidence-documents li');
    await expect(document.locator('a').textContent()).resolves.toBe('采购凭证.pdf');
    await expect(document.textContent()).resolves.toMatch(/PDF 文件，\d+ 字节/);
    await page.fill('textarea[name="resolution"]', '已补充采购凭证，型号与清单一致');
    await Promise.all([page.waitForURL(/done=close/), page.click('.close-form button[type="submit"]')]);
    await expect(text(page, '.item-status .badge')).resolves.toBe('待审核');
    await screenshot(page, `review-requested-again-${name}`);
    await again.context.close();

    // 4. The caseworker approves from the 待审核 list; the item leaves it.
    const approver = await as('caseworker', width, height);
    page = approver.page;
    await page.goto(`${base}/items/review`);
    await expect(page.locator(`tr[data-item="${item.id}"] .evidence-count`).textContent()).resolves.toBe('3 份');
    await Promise.all([
      page.waitForURL(`${base}/items/${item.id}#review`),
      page.locator(`tr[data-item="${item.id}"] .item-title a`).click(),
    ]);
    await expect(page.locator('.review-request .hash-list li').count()).resolves.toBe(3);
    await page.fill('textarea[name="comment"]', '凭证齐全，同意销号');
    await screenshot(page, `review-decide-${name}`);
    await Promise.all([page.waitForURL(/done=approve/), page.click('.review-form button[value="approve"]')]);
    await expect(text(page, '.alert-success')).resolves.toBe('审核通过，已销号。');
    await expect(text(page, '.item-status .badge')).resolves.toBe('已销号');
    await expect(text(page, '.timeline-entry:last-child .entry-detail')).resolves.toBe(
      '审核通过：城关街道 王专干 申请，卫健局 张业务 审核',
    );
    expect(await sideways(page)).toBeLessThanOrEqual(0);
    await screenshot(page, `review-approved-${name}`);
    await page.goto(`${base}/items/review`);
    await expect(page.locator(`tr[data-item="${item.id}"]`).count()).resolves.toBe(0);
    await approver.context.close();

    expect(await db.getRepository(Item).findOneByOrFail({ id: item.id })).toMatchObject({
      status: 'closed',
      assigneeName: '王建国',
      assigneePhone: '13912345678',
    });
    expect(await ledgerTypes(item.id)).toEqual([
      'created',
      'assignee_changed',
      'attachment_added',
      'attachment_added',
      'close_requested',
      'close_rejected',
      'attachment_added',
      'close_requested',
      'closed',
    ]);
    const files = await db.getRepository(Attachment).find({ where: { itemId: item.id }, order: { id: 'ASC' } });
    expect(files.map((f) => f.sha256)).toEqual([photos[0], photos[1], pdf].map(sha256));
    expect(dialogs).toEqual([]);
  });

  it("the demo's requests wait with their generated evidence; the one sent back shows the round", async () => {
    const { context, page } = await as('caseworker', 1280, 900);
    await page.goto(`${base}/items/review`);
    const row = page.locator('tr', { hasText: '河湾社区卫生服务站缺全科医生1名' });
    await expect(row.locator('.evidence-count').textContent()).resolves.toBe('2 份');
    await Promise.all([page.waitForURL(/\/items\/\d+#review$/), row.locator('.item-title a').click()]);
    expect(await thumbnailsLoaded(page)).toEqual([320]);
    await expect(page.locator('.evidence-documents a').textContent()).resolves.toBe('全科医生聘用合同.pdf');
    const pdf = await page.request.get(`${base}${await page.locator('.evidence-documents a').getAttribute('href')}`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await expect(page.locator('.timeline-entry.entry-close_rejected .note').textContent()).resolves.toContain(
      '请补充聘用合同',
    );
    await expect(page.locator('.timeline-entry.entry-close_requested').count()).resolves.toBe(2);
    await expect(page.locator('.review-form button').allTextContents()).resolves.toEqual(['通过', '退回']);
    await screenshot(page, 'review-demo-desktop');
    await context.close();
  });

  it('the leadership comments (批注) from the item page; the CSRF token guards the upload form', async () => {
    const item = (await newItem(t, caseworker, campaign.id)) as { id: number };
    const { context, page } = await as('leader', 1280, 900);
    await page.goto(`${base}/items/${item.id}`);
    await expect(page.locator('.upload-evidence, .close-form, .assignee-form').count()).resolves.toBe(0);
    await page.fill('textarea[name="note"]', '请街道本周内完成整改');
    await Promise.all([page.waitForURL(/done=comment/), page.click('.comment-form button[type="submit"]')]);
    await expect(text(page, '.timeline-entry.entry-comment .note')).resolves.toBe('请街道本周内完成整改');
    await context.close();

    // An upload without the form's token: 403, nothing stored.
    const officer = await as('officer1', 1280, 900);
    await officer.page.goto(`${base}/items/${item.id}`);
    const jpeg = [...(await photoJpeg('#c62828'))];
    const status = await officer.page.evaluate(
      async ({ id, bytes }) => {
        const body = new FormData();
        body.append('file', new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' }), 'x.jpg');
        return (await fetch(`/items/${id}/attachments`, { method: 'POST', body })).status;
      },
      { id: item.id, bytes: jpeg },
    );
    expect(status).toBe(403);
    expect(await db.getRepository(Attachment).countBy({ itemId: item.id })).toBe(0);
    await officer.context.close();
    await request(t.http).get(`/api/items/${item.id}/attachments`).set('Authorization', caseworker).expect(200, []);
  });
});
