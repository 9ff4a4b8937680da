import { idCheckChar } from '../common/id-number.js';
import { RELATIONS } from '../households/person.entity.js';
import { IdNumberIndex } from '../uploads/id-number-index.js';
import {
  householdRejection,
  personOutcome,
  planHouseholdWrites,
  registeredHeadRejection,
  repeatReason,
  sortBatch,
} from './import-rules.js';
import { type FileHousehold, type FileScan, type Repeat, ScannedRows, type StoredHousehold } from './scanned-rows.js';

const id = (n: number): string => {
  const first17 = `6101991980010${String(n).padStart(4, '0')}`;
  return first17 + idCheckChar(first17);
};

function household(registryNo: string, line: number, heads: { idNumber: string; line: number }[]): FileHousehold {
  return {
    registryNo,
    regionCode: '610199001001',
    povertyCause: 'illness',
    status: 'poor',
    registeredYear: 2016,
    line,
    conflictLine: 0,
    heads,
    rejected: null,
    index: -1,
    id: 0,
  };
}

function scanOf(households: FileHousehold[], stored: StoredHousehold[] = []): FileScan {
  return {
    rows: new ScannedRows(households),
    duplicates: new Map<string, Repeat>(),
    households,
    stored: new Map(stored.map((h) => [h.registryNo, h])),
    registered: new IdNumberIndex(),
  };
}

describe('householdRejection', () => {
  it('accepts a household with exactly one head', () => {
    expect(householdRejection(household('H-0001', 2, [{ idNumber: id(1), line: 2 }]), new Map())).toBeNull();
  });

  it('rejects rows that disagree, naming both lines', () => {
    const h = { ...household('H-0001', 2, [{ idNumber: id(1), line: 2 }]), conflictLine: 5 };
    expect(householdRejection(h, new Map())).toEqual({
      field: 'registryNo',
      reason: '户编号 H-0001 的各行在区划代码、致贫原因、户状态或建档年度上不一致（第 2 行与第 5 行）',
    });
  });

  it('does not count a head whose ID number is repeated, and names at most five lines of many heads', () => {
    const repeated = new Map<string, Repeat>([[id(1), { first: 2, second: 9, count: 2 }]]);
    expect(householdRejection(household('H-0001', 2, [{ idNumber: id(1), line: 2 }]), repeated)).toEqual({
      field: 'relation',
      reason: '户编号 H-0001 的有效行中没有户主',
    });
    const heads = [2, 3, 4, 5, 6, 7].map((line) => ({ idNumber: id(line), line }));
    expect(householdRejection(household('H-0001', 2, heads), new Map())?.reason).toBe(
      '户编号 H-0001 有 6 个户主（第 2、3、4、5、6 行等 6 行）',
    );
  });
});

describe('registeredHeadRejection', () => {
  const h = household('H-0001', 2, [{ idNumber: id(1), line: 2 }]);

  it('accepts the file head or a registered head who is in the file', () => {
    expect(registeredHeadRejection(h, id(1), new Map(), () => false)).toBeNull();
    expect(registeredHeadRejection(h, id(2), new Map(), () => true)).toBeNull();
  });

  it('rejects a second head, masked', () => {
    expect(registeredHeadRejection(h, id(2), new Map(), () => false)?.reason).toMatch(
      /^户编号 H-0001 在登记中已有另一位户主（610199\*+\d{3}[\dX]），此人不在本文件中$/,
    );
  });
});

describe('repeatReason', () => {
  it('names the first line to a later row, the next line and the count to the first', () => {
    const repeat: Repeat = { first: 2, second: 7, count: 3 };
    expect(repeatReason(repeat, 7)).toBe('身份证号与第 2 行重复');
    expect(repeatReason(repeat, 2)).toBe('身份证号在第 7 行等 2 行再次出现');
    expect(repeatReason({ first: 2, second: 7, count: 2 }, 2)).toBe('身份证号在第 7 行再次出现');
  });
});

describe('sortBatch', () => {
  const households = [household('H-0001', 2, [{ idNumber: id(1), line: 2 }]), household('H-0002', 4, [])];
  households[0].index = 0;
  households[1].rejected = { field: 'relation', reason: '户编号 H-0002 的有效行中没有户主' };
  const scan = scanOf(households);
  const head = RELATIONS.indexOf('head');
  scan.rows.add(2, id(1), '张三', head, 0);
  scan.rows.add(3, id(3), '李四', -1, -1);
  scan.rows.invalid.set(1, {
    problems: [{ field: 'name', reason: '姓名为空' }],
    idNumber: id(3),
    registryNo: 'H-0001',
  });
  scan.rows.add(4, id(4), '王五', RELATIONS.indexOf('child'), 1);

  it('keeps the valid rows and turns the others into masked row errors', () => {
    const sorted = sortBatch(9, scan, 0, 3, { left: 10 });
    expect(sorted.valid).toEqual([
      { line: 2, idNumber: id(1), name: '张三', relation: 'head', household: households[0] },
    ]);
    expect(sorted.last).toBe(0);
    expect(sorted.rejected).toBe(2);
    expect(sorted.errors.map((e) => [e.line, e.field, e.reason, e.registryNo])).toEqual([
      [3, 'name', '姓名为空', 'H-0001'],
      [4, 'relation', '户编号 H-0002 的有效行中没有户主', 'H-0002'],
    ]);
    expect(sorted.errors[0].idNumber).not.toContain(id(3).slice(6, 14));
  });

  it('lists errors only while the allowance lasts, counting the rest', () => {
    const allowance = { left: 1 };
    const sorted = sortBatch(9, scan, 0, 3, allowance);
    expect(sorted.errors).toHaveLength(1);
    expect(sorted.omitted).toBe(1);
    expect(allowance.left).toBe(0);
  });
});

describe('planHouseholdWrites', () => {
  it('inserts new households, updates changed ones and skips unchanged ones', () => {
    const households = [
      household('H-0001', 2, []),
      household('H-0002', 3, []),
      { ...household('H-0003', 4, []), status: 'lifted' },
    ];
    const stored = [
      {
        id: 11,
        registryNo: 'H-0002',
        regionCode: '610199001001',
        povertyCause: 'illness',
        status: 'poor',
        registeredYear: 2016,
      },
      {
        id: 12,
        registryNo: 'H-0003',
        regionCode: '610199001001',
        povertyCause: 'illness',
        status: 'poor',
        registeredYear: 2016,
      },
    ];
    const plan = planHouseholdWrites(scanOf(households, stored), 'now');
    expect(plan.statements).toHaveLength(1);
    expect(plan.statements[0].created).toEqual(['H-0001']);
    expect(plan.statements[0].writes).toEqual([
      ...['H-0001', '610199001001', 'illness', 2016, 'poor', 1, 'now'],
      ...['H-0003', '610199001001', 'illness', 2016, 'lifted', 1, 'now'],
    ]);
    expect([...plan.changed]).toEqual([4]);
    expect(households.map((h) => [h.index, h.id])).toEqual([
      [0, 0],
      [1, 11],
      [2, 12],
    ]);
  });
});

describe('personOutcome', () => {
  const row = {
    line: 2,
    idNumber: id(1),
    name: '张三',
    relation: 'head',
    household: { ...household('H', 2, []), id: 5 },
  };
  const stored = { id: 1, idNumber: id(1), householdId: 5, name: '张三', relation: 'head' };

  it('inserts a new person, updates a changed one, leaves an unchanged one', () => {
    expect(personOutcome(row, undefined, new Set())).toEqual({ count: 'inserted', write: true });
    expect(personOutcome(row, { ...stored, name: '张叁' }, new Set())).toEqual({ count: 'updated', write: true });
    expect(personOutcome(row, stored, new Set())).toEqual({ count: 'unchanged', write: false });
  });

  it('counts the first row of a changed household as updated without writing the person', () => {
    expect(personOutcome(row, stored, new Set([2]))).toEqual({ count: 'updated', write: false });
  });
});
