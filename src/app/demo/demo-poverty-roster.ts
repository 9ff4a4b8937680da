// The poverty office's register (扶贫办建档立卡花名册) of the demo district, written by the demo loader
// into the data directory (demoPovertyRosterPath) for the demo user to upload on 数据比对 (SPEC §6.5): the district's households and persons as the registry holds them
// when the demo is loaded, with a few disagreements planted so that every kind of discrepancy
// appears — a fixed number of each — and one row the reader refuses.
// Pure and deterministic, like the district itself.
import { idCheckChar } from '../../common/id-number.js';
import { RELATION_LABELS } from '../../households/household-labels.js';
import { POVERTY_COLUMNS } from '../../reconciliation/poverty-rows.js';
import type { POVERTY_KINDS } from '../../reconciliation/discrepancy.entity.js';
import { buildDemoDistrict, type DemoDistrict, type DemoHousehold } from './demo-district.js';

export interface DemoPovertyRoster {
  /** The Chinese headers (户编号,区划代码,…). */
  header: string[];
  rows: string[][];
  /** The discrepancies each kind yields against the demo district as loaded. */
  planted: Record<(typeof POVERTY_KINDS)[number], number>;
  /** Rows the reader refuses (counted as 未能比对). */
  rowErrors: number;
}

/** 脱贫年度 of a lifted household: 2016–2020, from its 户编号. */
const liftedYear = (h: DemoHousehold) => 2016 + (Number(h.registryNo.slice(-4)) % 5);

/** A new ID number in the district's area, born on `birth`, that nobody in `taken` has. */
function newcomerId(birth: string, taken: Set<string>): string {
  for (let seq = 999; ; seq--) {
    const first17 = `610199${birth}${seq}`;
    const id = first17 + idCheckChar(first17);
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

/** Another name: the last character changed. */
const renamed = (name: string) => `${name.slice(0, -1)}${name.endsWith('宏') ? '明' : '宏'}`;

export function buildDemoPovertyRoster(district: DemoDistrict = buildDemoDistrict()): DemoPovertyRoster {
  const header = POVERTY_COLUMNS.map((c) => c.header);
  const households = district.households;
  const poor = households.filter((h) => h.status === 'poor');
  const lifted = households.filter((h) => h.status === 'lifted');
  const big = lifted.filter((h) => h.members.length >= 3);

  type Row = [string, string, string, string, string, string, string, string, string];
  const rowOf = (h: DemoHousehold, m: DemoHousehold['members'][number]): Row => [
    h.registryNo,
    h.regionCode,
    h.members[0].name,
    m.idNumber,
    m.name,
    RELATION_LABELS[m.relation],
    h.status === 'poor' ? '未脱贫户' : '脱贫户',
    h.status === 'poor' ? '' : String(liftedYear(h)),
    '正常',
  ];

  // Who carries which disagreement: distinct households, chosen by position.
  const liftedThere = new Set([poor[0], poor[1]].map((h) => h.registryNo)); // ours poor, theirs 脱贫户
  const poorThere = new Set([lifted[0]].map((h) => h.registryNo)); // ours lifted, theirs 未脱贫户
  const monitored = new Set([lifted[1], poor[2]].map((h) => h.registryNo)); // 监测户: agrees with either
  const deceased = big[3].members[2].idNumber;
  const movedOut = big[4].members[2].idNumber;
  const omitted = new Set([big[5].members[2].idNumber, big[6].members[1].idNumber]);
  const names = new Map([big[7].members[1], big[8].members[2]].map((m) => [m.idNumber, renamed(m.name)]));
  const moving = big[9].members[2]; // listed in the next household's 户编号
  const movingTo = big[10];
  const repeated = big[11];

  const rows: string[][] = [];
  for (const h of households) {
    for (const m of h.members) {
      if (omitted.has(m.idNumber)) {
        continue;
      }
      const row = rowOf(h, m);
      if (liftedThere.has(h.registryNo)) {
        row[6] = '脱贫户';
        row[7] = '2020';
      } else if (poorThere.has(h.registryNo)) {
        row[6] = '未脱贫户';
        row[7] = '';
      } else if (monitored.has(h.registryNo)) {
        row[6] = '监测户';
      }
      if (m.idNumber === deceased) {
        row[8] = '死亡';
      } else if (m.idNumber === movedOut) {
        row[8] = '迁出';
      }
      const rename = names.get(m.idNumber);
      if (rename) {
        row[4] = rename;
      }
      if (m === moving) {
        row[0] = movingTo.registryNo;
        row[1] = movingTo.regionCode;
        row[2] = movingTo.members[0].name;
        row[5] = RELATION_LABELS.other;
      }
      rows.push(row);
    }
  }
  // Newcomers: a household the registry lacks (a 监测户 of two), and a newborn in a registered one.
  const taken = new Set(households.flatMap((h) => h.members.map((m) => m.idNumber)));
  const village = lifted[2].regionCode;
  const newRegistryNo = `${village}9001`;
  const newcomer = (birth: string, name: string, relation: string): string[] => [
    newRegistryNo,
    village,
    '马建国',
    newcomerId(birth, taken),
    name,
    relation,
    '监测户',
    '',
    '正常',
  ];
  rows.push(newcomer('19720315', '马建国', '户主'), newcomer('19740802', '何秀兰', '配偶'));
  const parents = rowOf(lifted[3], lifted[3].members[0]);
  rows.push([
    ...parents.slice(0, 3),
    newcomerId('20190611', taken),
    '马小宝',
    RELATION_LABELS.grandchild,
    ...parents.slice(6),
  ]);
  // A check character that does not match; a repeated row; a 户类型 the register does not have.
  const bad = newcomer('19800101', '错号', '其他');
  bad[3] = `${bad[3].slice(0, 17)}${bad[3][17] === '0' ? '1' : '0'}`;
  rows.push(bad, rowOf(repeated, repeated.members[0]));
  const unknownType = newcomer('19650505', '马建军', '其他');
  unknownType[6] = '一般农户';
  rows.push(unknownType);

  return {
    header,
    rows,
    planted: {
      poverty_not_registered: 3,
      registered_not_in_poverty: 2,
      household_status_mismatch: liftedThere.size + poorThere.size,
      member_household_mismatch: 1,
      person_status_mismatch: 2,
      name_mismatch: 2,
      invalid_id: 1,
      duplicate_row: 1,
    },
    rowErrors: 1,
  };
}
