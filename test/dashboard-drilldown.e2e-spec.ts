import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { DEMO_CAMPAIGN } from '../src/app/demo/demo-campaign.js';
import { launchBrowser, screenshot, serve, signIn } from './utils/browser.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';

/** A figure on the page as a number (the first run of digits in its text). */
const figure = (text: string | null): number => Number(/\d+/.exec(text ?? '')![0]);

/** Whole days from one calendar date to another, written here apart from the app's own helper. */
const daysFrom = (from: string, to: string): number =>
  (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;

/**
 * The 工作台's drill-down on the demo district as of 2020-05-20 (issue #17): every figure that is a link
 * leads to a list of exactly that many items; each sub-district's villages add up to its row; the
 * burn-down's needed rate is the test's own count of open items over the days left.
 */
describe('dashboard drill-down (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let base: string;
  let campaignId: number;

  /** The total a list page shows (共 N 条), 0 for an empty list. */
  const listTotal = async (href: string): Promise<number> => {
    await page.goto(`${base}${href}`);
    if ((await page.locator('.items-table .empty').count()) === 1) {
      expect(await page.locator('.pager').count()).toBe(0);
      return 0;
    }
    return Number(/共 (\d+) 条/.exec((await page.locator('.pager span').first().textContent())!)![1]);
  };

  /** Every linked figure of the dashboard (tables and level counts): its href and the number it shows. */
  const linkedFigures = async (): Promise<{ href: string; shown: number }[]> => {
    await page.goto(`${base}/?campaignId=${campaignId}`);
    const links = await page
      .locator('.progress-table tbody td a, .levels a, .village-table a')
      .evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href')!, text: a.textContent })));
    return links.map((l) => ({ href: l.href, shown: figure(l.text) }));
  };

  const expectEveryLinkCounts = async () => {
    const figures = await linkedFigures();
    expect(figures.length).toBeGreaterThan(10);
    for (const { href, shown } of figures) {
      expect({ href, total: await listTotal(href) }).toEqual({ href, total: shown });
    }
  };

  beforeAll(async () => {
    t = await createTestApp({}, { freshDatabase: true });
    t.clock.set('2020-05-20T02:00:00Z');
    const [campaign] = await t.app
      .get(DataSource)
      .query('SELECT id FROM campaigns WHERE name = ?', [DEMO_CAMPAIGN.name]);
    campaignId = Number(campaign.id);
    base = await serve(t);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, base, 'leader');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  it('leads every street row figure, level count and village figure to a list of that many items', async () => {
    await expectEveryLinkCounts();
  }, 120_000);

  it('makes each bar a link to its street’s items, as many as the row’s 问题总数', async () => {
    await page.goto(`${base}/?campaignId=${campaignId}`);
    const rows = await page.locator('.progress-table tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        name: tr.querySelector('th')!.textContent!.trim(),
        total: Number(tr.querySelector('[data-count="total"]')!.textContent),
      })),
    );
    expect(rows).toHaveLength(5);
    for (const row of rows) {
      await page.goto(`${base}/?campaignId=${campaignId}`);
      await Promise.all([page.waitForURL(/\/items\?/), page.locator(`svg .bar[data-label="${row.name}"]`).click()]);
      const pager = await page.locator('.pager span').first().textContent();
      expect(Number(/共 (\d+) 条/.exec(pager!)![1])).toBe(row.total);
      expect(new URL(page.url()).searchParams.get('campaignId')).toBe(String(campaignId));
    }
  }, 60_000);

  it('adds each sub-district’s villages up to its street row', async () => {
    await page.goto(`${base}/?campaignId=${campaignId}`);
    const groups = await page.locator('details.village-group').evaluateAll((ds) =>
      ds.map((d) => ({
        code: d.getAttribute('data-subdistrict')!,
        villages: [...d.querySelectorAll('tbody tr')].map((tr) => ({
          open: Number(tr.querySelector('[data-count="open"]')!.textContent),
          overdue: Number(tr.querySelector('[data-count="overdue"]')!.textContent),
          closed: Number(tr.querySelector('[data-count="closed"]')!.textContent),
        })),
      })),
    );
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      const row = page.locator(`.progress-table tbody tr[data-region="${group.code}"]`);
      const count = async (key: string) => figure(await row.locator(`[data-count="${key}"]`).textContent());
      const sum = (key: 'open' | 'overdue' | 'closed') => group.villages.reduce((s, v) => s + v[key], 0);
      // 未销号 in a village row counts 待审核 too; the street row keeps them apart.
      expect(sum('open')).toBe((await count('open')) + (await count('pending')));
      expect(sum('overdue')).toBe(await count('overdue'));
      expect(sum('closed')).toBe(await count('closed'));
    }
    await page.locator('details.village-group summary').first().click();
    await screenshot(page, 'dashboard-drilldown-desktop');
  });

  it('names the closes a day needed by the deadline, counted here from the ledger', async () => {
    // Replayed item by item: filed or reopened opens, 销号 closes, up to the end of 2020-05-20 in Beijing time.
    const entries: { itemId: number; type: string; at: string }[] = await t.app
      .get(DataSource)
      .query(
        "SELECT e.itemId AS itemId, e.type AS type, e.at AS at FROM ledger_entries e INNER JOIN items i ON i.id = e.itemId WHERE i.campaignId = ? AND e.type IN ('created', 'closed', 'reopened') ORDER BY e.itemId, e.seq",
        [campaignId],
      );
    const open = new Map<number, boolean>();
    for (const e of entries.filter((x) => x.at < '2020-05-20T16:00:00.000Z')) {
      open.set(Number(e.itemId), e.type !== 'closed');
    }
    const openCount = [...open.values()].filter(Boolean).length;
    const [{ n }] = await t.app
      .get(DataSource)
      .query("SELECT COUNT(*) AS n FROM items WHERE campaignId = ? AND status <> 'closed'", [campaignId]);
    expect(openCount).toBe(Number(n));
    const perDay = Math.ceil(openCount / daysFrom('2020-05-20', DEMO_CAMPAIGN.deadline));
    await page.goto(`${base}/?campaignId=${campaignId}`);
    const needed = await page.locator('.burndown-needed').textContent();
    expect(needed).toContain(`按当前进度，需日均销号 ${perDay} 个`);
    expect(needed).toContain(`未销号 ${openCount} 个`);
    expect(await page.locator('svg.burndown-chart polyline.burn-actual').count()).toBe(1);
    expect(await page.locator('svg.burndown-chart line.burn-needed').count()).toBe(1);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'dashboard-drilldown-phone');
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('shows the items list one card per item on a phone', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/items`);
    expect(await page.locator('select[name="closed"]').inputValue()).toBe('false');
    const card = page.locator('.items-table tbody tr').first();
    expect(await card.locator('td.item-title').isVisible()).toBe(true);
    expect(await card.locator('td.days-left').textContent()).toMatch(/剩余 \d+ 天|逾期 \d+ 天|今天到期/);
    expect(await card.locator('td[data-label="街道"]').isVisible()).toBe(false);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await screenshot(page, 'items-list-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${base}/items?closed=false&sort=level&q=${encodeURIComponent('卫生室')}`);
    await screenshot(page, 'items-list-desktop');
  });

  it('still makes sense years later: the deadline has passed, no rate a day', async () => {
    t.clock.set('2026-12-03T02:00:00Z');
    try {
      await page.goto(`${base}/?campaignId=${campaignId}`);
      const needed = (await page.locator('.burndown-needed').textContent())!;
      expect(needed).not.toContain('需日均销号');
      expect(needed).toContain(`截止日期已过 ${daysFrom(DEMO_CAMPAIGN.deadline, '2026-12-03')} 天`);
      await screenshot(page, 'dashboard-drilldown-2026');
      await expectEveryLinkCounts();
    } finally {
      t.clock.set('2020-05-20T02:00:00Z');
    }
  }, 120_000);
});
