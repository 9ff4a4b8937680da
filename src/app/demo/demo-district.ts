// Demo district (示范区): invented but plausible registry of poor households (建档立卡贫困户)
// reproducing the figures of the district's 2020 work report: 5 sub-districts (街道办),
// 399 registered households with 956 persons, of which 34 households / 59 persons still poor
// (在册未脱贫) and all others lifted out of poverty (已脱贫).
// Pure and deterministic: a fixed-seed PRNG drives every choice; counts are exact by construction.
import { idCheckChar } from '../../common/id-number.js';
import { seededRandom } from './random.js';
import type { PovertyCause } from '../../households/household.entity.js';
import type { PersonRelation as Relation } from '../../households/person.entity.js';
import type { RegionLevel } from '../../regions/region.entity.js';

export interface DemoRegion {
  code: string;
  name: string;
  level: RegionLevel;
  parentCode: string | null;
}
export interface DemoPerson {
  idNumber: string;
  name: string;
  relation: Relation;
}
export interface DemoHousehold {
  registryNo: string;
  regionCode: string;
  povertyCause: PovertyCause;
  registeredYear: number;
  status: 'poor' | 'lifted';
  members: DemoPerson[]; // members[0] is the head
}
export interface DemoDistrict {
  regions: DemoRegion[];
  households: DemoHousehold[];
}

export const DEMO_DISTRICT_CODE = '610199000000';
const AREA_CODE = DEMO_DISTRICT_CODE.slice(0, 6);
const SEED = 20201231;

// Sub-districts (街道办) with their villages / communities (村 / 社区), the number of
// registered households and how many of those are still poor.
const SUBDISTRICTS = [
  {
    name: '城关街道',
    households: 110,
    poor: 9,
    villages: ['柳树村', '河湾社区', '东关社区', '西关村', '杨家庄村', '槐花村'],
  },
  { name: '东塬街道', households: 95, poor: 8, villages: ['东塬村', '马家沟村', '枣林村', '红星社区', '白杨村'] },
  { name: '南川街道', households: 80, poor: 7, villages: ['南川社区', '石桥村', '王家坪村', '桃园村', '清水村'] },
  { name: '西岭街道', households: 65, poor: 6, villages: ['西岭村', '松树坪村', '李家河村', '龙泉社区'] },
  { name: '北辰街道', households: 49, poor: 4, villages: ['北辰社区', '高家堡村', '沙河村'] },
];

// Household sizes: index i = number of households with i + 1 persons.
const POOR_SIZE_COUNTS = [14, 16, 3, 1]; // 34 households, 59 persons
const LIFTED_SIZE_COUNTS = [82, 125, 90, 50, 13, 5]; // 365 households, 897 persons

const CAUSES: [PovertyCause, number][] = [
  ['illness', 60], // 因病
  ['disability', 15], // 因残
  ['labour', 12], // 缺劳力
  ['education', 8], // 因学
  ['other', 5],
];
const REGISTERED_YEARS: [number, number][] = [
  [2014, 50],
  [2015, 15],
  [2016, 12],
  [2017, 10],
  [2018, 8],
  [2019, 5],
];

// Common surnames, weighted roughly by national frequency (a few typical of Shaanxi added).
const SURNAMES: [string, number][] = [
  ['王', 71],
  ['李', 70],
  ['张', 66],
  ['刘', 53],
  ['陈', 45],
  ['杨', 30],
  ['赵', 22],
  ['黄', 22],
  ['周', 21],
  ['吴', 20],
  ['徐', 16],
  ['孙', 15],
  ['马', 12],
  ['朱', 12],
  ['胡', 13],
  ['郭', 11],
  ['何', 11],
  ['高', 12],
  ['林', 9],
  ['罗', 9],
  ['梁', 8],
  ['宋', 7],
  ['郑', 7],
  ['韩', 6],
  ['冯', 6],
  ['董', 5],
  ['田', 5],
  ['杜', 4],
  ['任', 4],
  ['雷', 4],
  ['薛', 3],
  ['党', 3],
  ['白', 3],
];
// Given names by sex and generation (born before 1980 / from 1980 on).
const GIVEN = {
  male: {
    old: [
      '建国',
      '建军',
      '国强',
      '志刚',
      '德明',
      '福贵',
      '长顺',
      '有才',
      '振华',
      '卫东',
      '保平',
      '文斌',
      '宝山',
      '金龙',
      '永祥',
      '春生',
      '明',
      '军',
      '勇',
      '平',
      '刚',
      '林',
      '斌',
      '忠',
      '华',
      '海',
      '亮',
      '涛',
    ],
    young: [
      '浩',
      '宇',
      '鹏',
      '杰',
      '磊',
      '超',
      '博',
      '鑫',
      '睿',
      '昊',
      '浩然',
      '子轩',
      '宇航',
      '俊杰',
      '晨阳',
      '一鸣',
      '文博',
      '家豪',
      '天佑',
      '思远',
    ],
  },
  female: {
    old: [
      '秀英',
      '桂兰',
      '玉兰',
      '秀兰',
      '凤英',
      '淑珍',
      '桂芳',
      '玉梅',
      '秀珍',
      '兰英',
      '翠花',
      '红梅',
      '秀芳',
      '丽',
      '芳',
      '敏',
      '霞',
      '娟',
      '萍',
      '燕',
      '艳',
      '琴',
    ],
    young: [
      '婷',
      '静',
      '雪',
      '欣',
      '悦',
      '佳',
      '丹',
      '倩',
      '思雨',
      '欣怡',
      '梓涵',
      '雨桐',
      '佳怡',
      '诗琪',
      '梦瑶',
      '子涵',
      '雅琪',
      '晓彤',
      '一诺',
      '可欣',
    ],
  },
};

type Sex = 'male' | 'female';
// Listing order within a household, as in a household register (户口簿): head first.
const RELATION_ORDER: Relation[] = ['head', 'spouse', 'child', 'grandchild', 'parent', 'other'];

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const opposite = (sex: Sex): Sex => (sex === 'male' ? 'female' : 'male');

export function buildDemoDistrict(): DemoDistrict {
  const random = seededRandom(SEED);
  const { int, pick, weighted, shuffle } = random;
  const rng = random.next;
  const expandSizes = (counts: number[]) => shuffle(counts.flatMap((count, i) => Array<number>(count).fill(i + 1)));

  // Regions: district, then each sub-district followed by its villages.
  const regions: DemoRegion[] = [{ code: DEMO_DISTRICT_CODE, name: '示范区', level: 'district', parentCode: null }];
  // Household plan per village code: status and size of each household, in registry order.
  const plans = new Map<string, { status: 'poor' | 'lifted'; size: number }[]>();
  const poorSizes = expandSizes(POOR_SIZE_COUNTS);
  const liftedSizes = expandSizes(LIFTED_SIZE_COUNTS);
  SUBDISTRICTS.forEach((sub, s) => {
    const subCode = `${AREA_CODE}${pad(s + 1, 3)}000`;
    regions.push({ code: subCode, name: sub.name, level: 'subdistrict', parentCode: DEMO_DISTRICT_CODE });
    const villageCodes = sub.villages.map((name, v) => {
      const code = `${subCode.slice(0, 9)}${pad(v + 1, 3)}`;
      regions.push({ code, name, level: 'village', parentCode: subCode });
      plans.set(code, []);
      return code;
    });
    const subPlan = shuffle([
      ...poorSizes.splice(0, sub.poor).map((size) => ({ status: 'poor' as const, size })),
      ...liftedSizes.splice(0, sub.households - sub.poor).map((size) => ({ status: 'lifted' as const, size })),
    ]);
    // Uneven spread over the villages: each village gets a weight between 1 and 3.
    const villageWeights = villageCodes.map((code): [string, number] => [code, 1 + 2 * rng()]);
    for (const household of subPlan) {
      plans.get(weighted(villageWeights))!.push(household);
    }
  });

  const usedIds = new Set<string>();
  const idNumber = (sex: Sex, year: number): string => {
    const month = int(1, 12);
    const day = int(1, new Date(Date.UTC(year, month, 0)).getUTCDate());
    for (;;) {
      const seq = `${pad(int(0, 99), 2)}${pick(sex === 'male' ? [1, 3, 5, 7, 9] : [0, 2, 4, 6, 8])}`;
      const first17 = `${AREA_CODE}${year}${pad(month, 2)}${pad(day, 2)}${seq}`;
      if (!usedIds.has(first17)) {
        usedIds.add(first17);
        return first17 + idCheckChar(first17);
      }
    }
  };
  const otherSurname = (not: string): string => {
    for (;;) {
      const surname = weighted(SURNAMES);
      if (surname !== not) {
        return surname;
      }
    }
  };

  const households: DemoHousehold[] = [];
  for (const [villageCode, plan] of plans) {
    plan.forEach(({ status, size }, k) => {
      const names = new Set<string>();
      const members: DemoPerson[] = [];
      const add = (relation: Relation, surname: string, sex: Sex, year: number) => {
        const list = GIVEN[sex][year < 1980 ? 'old' : 'young'];
        let name = surname + pick(list);
        while (names.has(name)) {
          name = surname + pick(list);
        }
        names.add(name);
        members.push({ idNumber: idNumber(sex, year), name, relation });
      };

      // Head (户主): 30–80 years old in 2020; single-person households lean older.
      const headSex: Sex = rng() < 0.8 ? 'male' : 'female';
      const headYear = size === 1 ? int(1940, 1975) : int(1940, 1990);
      const headSurname = weighted(SURNAMES);
      const hasSpouse = size >= 2 && rng() < (headSex === 'male' ? 0.85 : 0.5);
      const spouseSurname = otherSurname(headSurname);
      // Children take the father's surname: the head's if male, else the (late) husband's.
      const familySurname = headSex === 'male' ? headSurname : spouseSurname;
      add('head', headSurname, headSex, headYear);
      if (hasSpouse) {
        // 配偶: opposite sex, within ±6 years, wives usually the younger.
        add('spouse', spouseSurname, opposite(headSex), headYear + (headSex === 'male' ? int(-2, 6) : int(-6, 2)));
      }

      let parentSex: Sex | null = null;
      let parents = 0;
      while (members.length < size) {
        const relation = weighted<Relation>([
          ['child', 6],
          ['grandchild', headYear <= 1975 ? 3 : 0],
          ['parent', headYear >= 1950 && parents < 2 ? 2 : 0],
          ['other', 0.5],
        ]);
        const sex: Sex = rng() < 0.5 ? 'male' : 'female';
        if (relation === 'child') {
          add('child', familySurname, sex, headYear + int(20, Math.min(35, 2019 - headYear)));
        } else if (relation === 'grandchild') {
          add('grandchild', familySurname, sex, headYear + int(40, Math.min(60, 2019 - headYear)));
        } else if (relation === 'parent') {
          // 父母: 20–35 years older than the head, born 1925 or later; father shares the head's surname.
          parentSex = parentSex ? opposite(parentSex) : sex;
          parents++;
          const surname = parentSex === 'male' ? headSurname : otherSurname(headSurname);
          add('parent', surname, parentSex, headYear - int(20, Math.min(35, headYear - 1925)));
        } else {
          // 其他 (e.g. a sibling): within ten years of the head.
          add('other', rng() < 0.5 ? headSurname : weighted(SURNAMES), sex, headYear + int(-10, 10));
        }
      }

      households.push({
        registryNo: `${villageCode}${pad(k + 1, 4)}`,
        regionCode: villageCode,
        povertyCause: weighted(CAUSES),
        registeredYear: weighted(REGISTERED_YEARS),
        status,
        members: members.sort((a, b) => RELATION_ORDER.indexOf(a.relation) - RELATION_ORDER.indexOf(b.relation)),
      });
    });
  }

  return { regions, households };
}
