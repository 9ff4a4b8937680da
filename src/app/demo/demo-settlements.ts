// A year (2020) of the insurance bureau's settlements for the demo district (issue #20): drawn from a
// random source of its own, so the rest of the demo is as before. Most persons have a few small
// settlements; a handful of registered persons, and a few persons outside the register, cross the
// 2020 thresholds (50 % / 100 % of the 2019 rural per-capita disposable income below).
import { idCheckChar } from '../../common/id-number.js';
import type { SettlementRow } from '../../risk/settlement-rows.js';
import type { DemoDistrict } from './demo-district.js';
import { seededRandom } from './random.js';

export const DEMO_RISK_YEAR = 2020;
/** 2019 农村居民人均可支配收入 of the demo district (元), and the ratios. */
export const DEMO_RISK_THRESHOLDS = { ruralIncome: 12000, registeredRatio: 0.5, otherRatio: 1 };
/** Registered persons, and persons outside the register, whose 2020 burden crosses their threshold. */
export const DEMO_RISK_REGISTERED = 6;
export const DEMO_RISK_OUTSIDERS = 3;

const HOSPITALS = ['区人民医院', '区中医医院', '市第一人民医院', '市中心医院', '省肿瘤医院', '镇卫生院'];
const SURNAMES = [...'王李张刘陈杨赵黄周吴'];
const GIVEN = [...'建国秀兰志强桂英明华丽娟德胜'];

const day = (random: ReturnType<typeof seededRandom>): string => {
  const d = new Date(Date.UTC(DEMO_RISK_YEAR, 0, 1) + random.int(0, 360) * 86_400_000);
  return d.toISOString().slice(0, 10);
};

/** An ID number of someone outside the demo register (area 610198, next door). */
function outsiderId(k: number): string {
  const first17 = `610198${1950 + (k % 40)}0${1 + (k % 9)}1${k % 10}${String(100 + k).slice(-3)}`;
  return first17 + idCheckChar(first17);
}

/**
 * The settlements, in file order: one row per settlement, amounts in fen, a refund (same number,
 * negative amounts) now and then. Deterministic: the same district gives the same rows.
 */
export function buildDemoSettlements(district: DemoDistrict): Omit<SettlementRow, 'line'>[] {
  const random = seededRandom(20_200_606);
  const rows: Omit<SettlementRow, 'line'>[] = [];
  let n = 0;
  const add = (
    idNumber: string,
    name: string,
    totalFen: number,
    share: { fund: number; major: number; assist: number },
  ) => {
    const settledOn = day(random);
    const fundFen = Math.floor(totalFen * share.fund);
    const majorFen = Math.floor(totalFen * share.major);
    const assistFen = Math.floor(totalFen * share.assist);
    const row = {
      settlementNo: `YB${DEMO_RISK_YEAR}${String(++n).padStart(7, '0')}`,
      refund: false,
      idNumber,
      name,
      visitType: totalFen > 300_000 ? '住院' : '门诊',
      admittedOn: settledOn,
      dischargedOn: settledOn,
      settledOn,
      institution: random.pick(HOSPITALS),
      totalFen,
      fundFen,
      majorFen,
      assistFen,
      otherFen: 0,
      burdenFen: totalFen - fundFen - majorFen - assistFen,
    };
    rows.push(row);
    if (random.next() < 0.02) {
      const half = (fen: number) => -Math.floor(fen / 2);
      const refund = {
        ...row,
        refund: true,
        totalFen: half(totalFen),
        fundFen: half(fundFen),
        majorFen: half(majorFen),
        assistFen: half(assistFen),
      };
      rows.push({ ...refund, burdenFen: refund.totalFen - refund.fundFen - refund.majorFen - refund.assistFen });
    }
  };
  const persons = district.households.flatMap((h) => h.members);
  const heavy = new Set(random.shuffle([...persons.keys()]).slice(0, DEMO_RISK_REGISTERED));
  persons.forEach((p, i) => {
    if (heavy.has(i)) {
      // 住院 twice: 90 000 and 60 000 元, 55 % by the fund, 15 % by 大病保险, 5 % by 医疗救助: about 37 500 元 left.
      add(p.idNumber, p.name, 9_000_000 + random.int(0, 200_000), { fund: 0.55, major: 0.15, assist: 0.05 });
      add(p.idNumber, p.name, 6_000_000 + random.int(0, 200_000), { fund: 0.55, major: 0.15, assist: 0.05 });
      return;
    }
    for (let k = random.int(0, 3); k > 0; k--) {
      add(p.idNumber, p.name, random.int(5_000, 120_000), { fund: 0.6, major: 0, assist: 0.1 });
    }
  });
  for (let k = 0; k < 20; k++) {
    const name = random.pick(SURNAMES) + random.pick(GIVEN) + random.pick(GIVEN);
    const over = k < DEMO_RISK_OUTSIDERS;
    add(outsiderId(k), name, over ? 8_000_000 + random.int(0, 500_000) : random.int(20_000, 400_000), {
      fund: 0.6,
      major: over ? 0.1 : 0,
      assist: 0,
    });
  }
  return rows;
}
