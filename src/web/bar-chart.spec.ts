import { barChart, escapeXml } from './bar-chart.js';

const rows = [
  {
    label: '城关街道',
    segments: [
      { kind: 'closed', label: '已销号', value: 3 },
      { kind: 'overdue', label: '已逾期', value: 1 },
    ],
    note: '销号率 75.0%',
  },
  { label: '东塬街道', segments: [{ kind: 'closed', label: '已销号', value: 0 }], note: '销号率 —' },
];

const attr = (svg: string, pattern: RegExp): string[] => [...svg.matchAll(pattern)].map((m) => m[1]);

describe('barChart', () => {
  it('draws one group per row with a label, a track, a rect per non-empty segment and the note', () => {
    const svg = barChart(rows, { title: '销号进度', width: 600, labelWidth: 100, noteWidth: 100 });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('<title>销号进度</title>');
    expect(svg.match(/<g class="bar"/g)).toHaveLength(2);
    expect(svg).toContain('>城关街道</text>');
    expect(svg).toContain('>销号率 75.0%</text>');
    // The largest row (4) fills the bar area (600 − 100 − 100 = 400): 3 → 300, 1 → 100, placed end to end.
    const segments = attr(svg, /<rect class="seg seg-(?:closed|overdue)" x="([\d.]+)" y="28" width="([\d.]+)"/g);
    expect(segments).toEqual(['100', '400']);
    expect(svg).toMatch(/<rect class="seg seg-closed" x="100" y="28" width="300"/);
    expect(svg).toMatch(/<rect class="seg seg-overdue" x="400" y="28" width="100"/);
    // A zero segment draws nothing; the legend lists each kind once.
    expect(svg.match(/class="seg seg-closed" x="100" y="62"/)).toBeNull();
    expect(svg.match(/class="legend-item"/g)).toHaveLength(2);
    expect(svg).not.toContain('style=');
  });

  it('escapes every label, note and title', () => {
    const svg = barChart(
      [
        {
          label: '<script>alert(1)</script>',
          segments: [{ kind: 'closed', label: '"><img src=x onerror=alert(2)>', value: 2 }],
          note: "a & b's",
        },
      ],
      { title: '</title><script>x</script>' },
    );
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('<img');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('data-label="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(svg).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(svg).toContain('a &amp; b&#39;s');
    expect(svg).toContain('<title>&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;</title>');
  });

  it('refuses a segment kind that is not a plain class name', () => {
    expect(() =>
      barChart([{ label: 'x', segments: [{ kind: 'a" onclick="x', label: 'x', value: 1 }] }], { title: 't' }),
    ).toThrow(/kind/);
  });

  it('scales to a given maximum, and copes with no rows and all zeros', () => {
    const svg = barChart([{ label: 'a', segments: [{ kind: 'closed', label: '已销号', value: 5 }] }], {
      title: 't',
      width: 300,
      labelWidth: 50,
      noteWidth: 50,
      max: 10,
    });
    expect(svg).toMatch(/<rect class="seg seg-closed" x="50" y="28" width="100"/);
    expect(barChart([], { title: 'empty' })).toContain('viewBox="0 0 720 32"');
    expect(
      barChart([{ label: 'z', segments: [{ kind: 'open', label: '未销号', value: 0 }] }], { title: 't' }),
    ).toContain('<g class="bar" data-label="z">');
  });

  it('escapeXml covers the five XML specials', () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
  });
});
