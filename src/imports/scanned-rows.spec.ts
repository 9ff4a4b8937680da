import { ScannedRows } from './scanned-rows.js';

describe('ScannedRows', () => {
  it('gives back every ID number as it was added, packed or not', () => {
    const ids = [
      '610102199001011234',
      '61010219900101123X',
      '000000000000000000',
      '000000001000000009',
      '99999999999999999X',
      '61010219900101123x',
      '6101021990010112',
      '',
      '61010A199001011234',
    ];
    const rows = new ScannedRows([]);
    for (let n = 0; n < 3000; n++) {
      rows.add(n + 2, ids[n % ids.length], '张三', -1, -1);
    }
    expect(rows.count).toBe(3000);
    for (let n = 0; n < 3000; n++) {
      expect(rows.idNumber(n)).toBe(ids[n % ids.length]);
      expect(rows.line(n)).toBe(n + 2);
    }
  });
});
