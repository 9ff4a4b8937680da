import hbs from 'hbs';
import {
  chineseDate,
  chineseDateTime,
  daysLeftText,
  fileSizeText,
  labelOf,
  levelBadgeHtml,
  percentText,
  registerHelpers,
  shortHash,
  statusBadgeHtml,
} from './handlebars-helpers.js';

describe('handlebars helpers', () => {
  it('writes calendar dates and instants the Chinese way, on the district calendar', () => {
    expect(chineseDate('2020-05-31', 'Asia/Shanghai')).toBe('2020年5月31日');
    expect(chineseDate('2020-01-05', 'Asia/Shanghai')).toBe('2020年1月5日');
    // 16:30 UTC on the 14th is already the 15th in Shanghai.
    expect(chineseDate('2020-04-14T16:30:00.000Z', 'Asia/Shanghai')).toBe('2020年4月15日');
    expect(chineseDateTime('2020-04-14T16:30:00.000Z', 'Asia/Shanghai')).toBe('2020年4月15日 00:30');
    expect(chineseDateTime(new Date('2020-04-15T02:05:00Z'), 'Asia/Shanghai')).toBe('2020年4月15日 10:05');
    expect(chineseDate(null, 'Asia/Shanghai')).toBe('');
    expect(chineseDate('not a date', 'Asia/Shanghai')).toBe('not a date');
  });

  it('writes file sizes and short hashes for people', () => {
    expect(fileSizeText(812)).toBe('812 字节');
    expect(fileSizeText(12_595)).toBe('12.3 KB');
    expect(fileSizeText(1_258_291)).toBe('1.2 MB');
    expect(fileSizeText('12')).toBe('');
    expect(shortHash('ab'.repeat(32))).toBe('abababababab…');
    expect(shortHash(null)).toBe('');
  });

  it('says how many days are left, today, or how late', () => {
    expect(daysLeftText(5)).toBe('剩余 5 天');
    expect(daysLeftText(0)).toBe('今天到期');
    expect(daysLeftText(-3)).toBe('逾期 3 天');
    expect(daysLeftText(null)).toBe('');
  });

  it('formats a percentage with one decimal, or a dash', () => {
    expect(percentText(66)).toBe('66.0%');
    expect(percentText(12.345)).toBe('12.3%');
    expect(percentText(null)).toBe('—');
  });

  it('names codes in Chinese and leaves unknown ones (and prototype keys) alone', () => {
    expect(labelOf('itemStatus', 'closed')).toBe('已销号');
    expect(labelOf('treatmentCategory', 'contracted')).toBe('慢病签约服务管理一批');
    expect(labelOf('level', 3)).toBe('逾期');
    expect(labelOf('itemStatus', 'weird')).toBe('weird');
    expect(labelOf('itemStatus', 'constructor')).toBe('constructor');
    expect(labelOf('toString', 'x')).toBe('x');
  });

  it('builds badges from known values only', () => {
    expect(levelBadgeHtml(4)).toBe('<span class="badge level-4">督办</span>');
    expect(levelBadgeHtml('7')).toBe('');
    expect(levelBadgeHtml('"><script>')).toBe('');
    expect(statusBadgeHtml('in_progress')).toBe('<span class="badge status-in-progress">整改中</span>');
    expect(statusBadgeHtml('<b>x</b>')).toBe('&lt;b&gt;x&lt;/b&gt;');
  });

  describe('in templates', () => {
    const handlebars = hbs.create().handlebars;
    registerHelpers(handlebars, { timeZone: 'Asia/Shanghai' });
    const render = (template: string, data: object) => handlebars.compile(template)(data);

    it('text helpers are escaped by {{ }} like any value', () => {
      expect(render('{{date d}} {{zh "category" c}} {{daysLeft n}}', { d: '2020-05-31', c: 'contract', n: -2 })).toBe(
        '2020年5月31日 慢病签约 逾期 2 天',
      );
      expect(render('{{zh "itemStatus" s}}', { s: '<b>' })).toBe('&lt;b&gt;');
    });

    it('markup helpers escape what they are given', () => {
      expect(render('{{statusBadge s}}', { s: '<img src=x>' })).toBe('&lt;img src=x&gt;');
      const chart = {
        rows: [{ label: '<script>alert(1)</script>', segments: [{ kind: 'closed', label: '已销号', value: 1 }] }],
        options: { title: '图' },
      };
      const html = render('{{barChart chart}}', { chart });
      expect(html.startsWith('<svg')).toBe(true);
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html).not.toContain('<script>');
      expect(render('{{barChart missing}}', {})).toBe('');
    });

    it('offers eq, and, or, not and gt for conditions', () => {
      expect(render('{{#if (eq a "1")}}y{{else}}n{{/if}}', { a: 1 })).toBe('y');
      expect(render('{{#if (and a b)}}y{{else}}n{{/if}}', { a: 1, b: 0 })).toBe('n');
      expect(render('{{#if (or a b)}}y{{else}}n{{/if}}', { a: 0, b: 1 })).toBe('y');
      expect(render('{{#if (not a)}}y{{else}}n{{/if}}', { a: 0 })).toBe('y');
      expect(render('{{#if (gt a 2)}}y{{else}}n{{/if}}', { a: 3 })).toBe('y');
      expect(render('{{yesno a}}/{{yesno b}}', { a: true, b: false })).toBe('是/否');
    });
  });
});
