// Follow-up results and readings, and major-disease treatment dates, for the demo district (issue #18):
// drawn from a random source of their own, so the rest of the demo (and the checks' planted gaps) is
// as before. As of DEMO_AS_OF every indicator of SPEC §6.4 lies strictly between 0 and 100 % in each
// sub-district, and they differ between sub-districts.
import { addDays } from '../../common/dates.js';
import type { FollowUpResult } from '../../health/follow-up-rules.js';
import type { DemoDistrict } from './demo-district.js';
import { contractStatus } from '../../health/contract-status.js';
import { DEMO_AS_OF, type DemoContract, type DemoHealth } from './demo-health.js';
import { seededRandom } from './random.js';

export interface DemoReadings {
  result: FollowUpResult;
  systolic: number | null;
  diastolic: number | null;
  fastingGlucose: number | null;
}

export interface DemoTreatment {
  confirmedOn: string;
  hospital: string;
  treatmentStartedOn: string | null;
}

type DemoFollowUp = DemoContract['followUps'][number];

const HOSPITALS = ['区人民医院', '市第一人民医院', '市中心医院', '省肿瘤医院'];

/** Per sub-district, a share of readings controlled: the sub-districts differ as real ones do. */
const CONTROLLED_SHARE = [0.78, 0.64, 0.7, 0.55, 0.6];

/**
 * Makes every sub-district have a contract short of follow-ups as of DEMO_AS_OF while the district keeps
 * its planted number (DEMO_GAPS.followUpsShort): in a sub-district without one, the last visit of a
 * contract with exactly its due number is marked `away` (it no longer counts); for each, a planted short
 * contract of the sub-district with the most gets the visits it lacked. Returns the follow-ups marked away.
 */
export function balanceFollowUps(health: DemoHealth, district: DemoDistrict): Set<DemoFollowUp> {
  const area = subdistrictIndex(district);
  const required = (c: DemoContract) => Math.max(...c.diseaseCodes.map((code) => (code === 'pulmonary_tb' ? 6 : 4)));
  const made = (c: DemoContract) => c.followUps.filter((f) => f.visitedOn <= DEMO_AS_OF).length;
  const status = (c: DemoContract, visits: number) =>
    contractStatus({ ...c, requiredFollowUps: required(c) }, visits, DEMO_AS_OF);
  const inForce = health.contracts.filter((c) => status(c, made(c)) !== 'expired');
  const shortIn = (sub: number) =>
    inForce.filter((c) => area.get(c.idNumber) === sub && status(c, made(c)) === 'noncompliant');
  const away = new Set<DemoFollowUp>();
  for (let sub = 0; sub < 5; sub++) {
    if (shortIn(sub).length > 0) {
      continue;
    }
    const exact = inForce.find(
      (c) => area.get(c.idNumber) === sub && made(c) > 0 && status(c, made(c) - 1) === 'noncompliant',
    );
    const donor = [0, 1, 2, 3, 4].map(shortIn).sort((a, b) => b.length - a.length)[0];
    if (!exact || donor.length < 2) {
      continue;
    }
    away.add(exact.followUps.filter((f) => f.visitedOn <= DEMO_AS_OF).at(-1)!);
    const mended = donor[0];
    while (status(mended, made(mended)) === 'noncompliant') {
      mended.followUps.push({ visitedOn: addDays(DEMO_AS_OF, -made(mended) - 1), kind: 'home' });
    }
    mended.followUps.sort((x, y) => x.visitedOn.localeCompare(y.visitedOn));
  }
  return away;
}

/**
 * Readings for each follow-up of the demo contracts (blood pressure on hypertension contracts, fasting
 * glucose on diabetes ones; every demo visit was made: `visited`), in the order of `health.contracts`.
 */
export function demoReadings(health: DemoHealth, district: DemoDistrict, away: Set<DemoFollowUp>): DemoReadings[][] {
  const r = seededRandom(20200514);
  const area = subdistrictIndex(district);
  return health.contracts.map((c) => {
    const share = CONTROLLED_SHARE[area.get(c.idNumber) ?? 0];
    return c.followUps.map((f) => {
      const visited = !away.has(f);
      const bp = visited && c.diseaseCodes.includes('hypertension');
      const glucose = visited && c.diseaseCodes.includes('diabetes_t2');
      const bpOk = r.next() < share;
      const glucoseOk = r.next() < share - 0.05;
      return {
        result: visited ? 'visited' : 'away',
        systolic: bp ? (bpOk ? r.int(112, 139) : r.int(140, 176)) : null,
        diastolic: bp ? (bpOk ? r.int(68, 89) : r.int(90, 104)) : null,
        fastingGlucose: glucose ? (glucoseOk ? r.int(48, 69) : r.int(70, 112)) / 10 : null,
      };
    });
  });
}

/**
 * Treatment dates of the major-disease conditions, in the order of `health.conditions` (null for
 * chronic ones): confirmed on the day of diagnosis, started 3–20 days later unless untreated; in each
 * sub-district one patient in treatment was confirmed early in April 2020 and started after DEMO_AS_OF
 * (within the 30 days: no gap for the checks), so no sub-district treats all as of that day.
 */
export function demoTreatment(
  health: DemoHealth,
  district: DemoDistrict,
  major: Set<string>,
): (DemoTreatment | null)[] {
  const r = seededRandom(20200601);
  const area = subdistrictIndex(district);
  const late = new Set<number>();
  health.conditions.forEach((c, i) => {
    const sub = area.get(c.idNumber) ?? 0;
    if (
      major.has(c.diseaseCode) &&
      c.treatmentStatus === 'in_treatment' &&
      ![...late].some((j) => area.get(health.conditions[j].idNumber) === sub)
    ) {
      late.add(i);
    }
  });
  return health.conditions.map((c, i) => {
    if (!major.has(c.diseaseCode)) {
      return null;
    }
    const hospital = r.pick(HOSPITALS);
    if (late.has(i)) {
      const confirmedOn = [addDays(DEMO_AS_OF, -10), c.diagnosedOn].sort().at(-1)!;
      return { confirmedOn, hospital, treatmentStartedOn: addDays(DEMO_AS_OF, 5) };
    }
    const started = c.treatmentStatus === 'untreated' ? null : addDays(c.diagnosedOn, r.int(3, 20));
    return { confirmedOn: c.diagnosedOn, hospital, treatmentStartedOn: started };
  });
}

/** The index (0–4) of each demo person's sub-district, by ID number. */
function subdistrictIndex(district: DemoDistrict): Map<string, number> {
  const subs = [...new Set(district.households.map((h) => h.regionCode.slice(0, 9)))].sort();
  return new Map(
    district.households.flatMap((h) =>
      h.members.map((m) => [m.idNumber, subs.indexOf(h.regionCode.slice(0, 9))] as const),
    ),
  );
}
