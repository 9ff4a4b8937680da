// Health records of the demo district, as of the work report's spring 2020 (DEMO_AS_OF): 631 of the
// 956 persons are patients (66.0 %), in all three treatment categories (三个一批); chronic patients of
// the four priority diseases mostly hold a family-doctor contract followed up pro rata; everybody is
// enrolled in insurance for 2019 and 2020. A few planted gaps give the checks a few dozen findings.
import type { TreatmentCategory, TreatmentStatus } from '../../health/condition.entity.js';
import type { FollowUpKind } from '../../health/follow-up.entity.js';
import { addDays, addYears, daysBetween } from '../../common/dates.js';
import type { DemoDistrict } from './demo-district.js';
import { seededRandom } from './random.js';

export const DEMO_AS_OF = '2020-04-15';
export const DEMO_PATIENTS = 631;

/** Planted gaps, exact by construction (what POST /api/checks/run finds as of DEMO_AS_OF). */
export const DEMO_GAPS = {
  withoutContract: 12, // priority chronic patients who never signed
  expiredContract: 4, // whose contract ran out before DEMO_AS_OF
  followUpsShort: 10, // active for more than a quarter with fewer visits than pro rata
  notInsured2020: 8, // no 2020 enrollment
  majorUntreated: 5, // a major disease still untreated
};

const PRIORITY_FOLLOW_UPS: Record<string, number> = {
  hypertension: 4,
  diabetes_t2: 4,
  pulmonary_tb: 6,
  severe_mental: 4,
};

export interface DemoCondition {
  idNumber: string;
  diseaseCode: string;
  diagnosedOn: string;
  treatmentCategory: TreatmentCategory;
  treatmentStatus: TreatmentStatus;
}
export interface DemoContract {
  idNumber: string;
  institution: string;
  doctorName: string;
  signedOn: string;
  validUntil: string;
  diseaseCodes: string[];
  followUps: { visitedOn: string; kind: FollowUpKind }[];
}
export interface DemoEnrollment {
  idNumber: string;
  year: number;
  enrolled: boolean;
  subsidized: boolean;
}
export interface DemoHealth {
  conditions: DemoCondition[];
  contracts: DemoContract[];
  enrollments: DemoEnrollment[];
}

const ADULT_CHRONIC: [string, number][] = [
  ['hypertension', 42],
  ['diabetes_t2', 15],
  ['stroke', 8],
  ['coronary', 8],
  ['copd', 6],
  ['rheumatoid', 5],
  ['severe_mental', 5],
  ['hepatitis_b', 4],
  ['pulmonary_tb', 2],
];
const ADULT_MAJOR = [
  'esrd',
  'mdr_tb',
  'esophageal_cancer',
  'gastric_cancer',
  'colorectal_cancer',
  'lung_cancer',
  'breast_cancer',
  'cervical_cancer',
  'liver_cancer',
];
const CHILD_MAJOR = ['child_all', 'child_apl', 'child_asd', 'child_vsd', 'cleft_lip', 'hemophilia'];
const MAJOR = new Set([...ADULT_MAJOR, ...CHILD_MAJOR]);
const FEMALE_ONLY = new Set(['breast_cancer', 'cervical_cancer']);
const DOCTORS = ['王医生团队', '李医生团队', '张医生团队', '赵医生团队', '陈医生团队', '刘医生团队'];
const FOLLOW_UP_KINDS: [FollowUpKind, number][] = [
  ['clinic', 5],
  ['home', 3],
  ['phone', 1],
  ['remote', 1],
];

const birthOf = (idNumber: string) => `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
const ageIn2020 = (idNumber: string) => 2020 - Number(idNumber.slice(6, 10));
const isFemale = (idNumber: string) => Number(idNumber[16]) % 2 === 0;

export function buildDemoHealth(district: DemoDistrict, subdistrictNames: Map<string, string>): DemoHealth {
  const r = seededRandom(20200415);
  const persons = district.households.flatMap((h) =>
    h.members.map((m) => ({
      ...m,
      household: h,
      subdistrict: subdistrictNames.get(h.regionCode.slice(0, 9) + '000') ?? '',
    })),
  );

  // Patients: the 631 highest of a random score weighted by age.
  const weight = (age: number) => (age < 18 ? 0.3 : age < 45 ? 0.6 : age < 60 ? 1.1 : 1.7);
  const patients = persons
    .map((p) => ({ p, score: r.next() * weight(ageIn2020(p.idNumber)) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, DEMO_PATIENTS)
    .map(({ p }) => p)
    .sort((a, b) => a.idNumber.localeCompare(b.idNumber));

  const conditions: DemoCondition[] = [];
  const diagnosed = (idNumber: string) => {
    // Before any contract of the demo was signed (the earliest in January 2019).
    const from = [birthOf(idNumber), '2008-01-01'].sort()[1];
    return addDays(from, r.int(0, Math.max(0, daysBetween(from, '2018-12-31'))));
  };
  for (const p of patients) {
    const age = ageIn2020(p.idNumber);
    const codes: string[] = [];
    if (age < 15) {
      codes.push(r.next() < 0.55 ? r.pick(CHILD_MAJOR) : 'hepatitis_b');
    } else if (r.next() < 0.07) {
      codes.push(r.pick(ADULT_MAJOR.filter((c) => isFemale(p.idNumber) || !FEMALE_ONLY.has(c))));
    } else {
      codes.push(r.weighted(ADULT_CHRONIC));
      if (age >= 45 && r.next() < 0.25) {
        const second = codes[0] === 'hypertension' ? 'diabetes_t2' : 'hypertension';
        if (!codes.includes(second)) {
          codes.push(second);
        }
      }
    }
    for (const diseaseCode of codes) {
      const major = MAJOR.has(diseaseCode);
      conditions.push({
        idNumber: p.idNumber,
        diseaseCode,
        diagnosedOn: diagnosed(p.idNumber),
        treatmentCategory: major
          ? r.next() < 0.85
            ? 'concentrated'
            : 'safety_net'
          : r.next() < 0.92
            ? 'contracted'
            : 'safety_net',
        treatmentStatus: major ? (r.next() < 0.5 ? 'treated' : 'in_treatment') : 'in_treatment',
      });
    }
  }
  // Planted: a few major diseases still untreated.
  const majors = conditions.filter((c) => c.treatmentCategory === 'concentrated');
  r.shuffle([...majors])
    .slice(0, DEMO_GAPS.majorUntreated)
    .forEach((c) => (c.treatmentStatus = 'untreated'));

  // Contracts for patients of the four priority diseases, covering those diseases.
  const priority = new Map<string, string[]>();
  for (const c of conditions) {
    if (c.diseaseCode in PRIORITY_FOLLOW_UPS) {
      priority.set(c.idNumber, [...(priority.get(c.idNumber) ?? []), c.diseaseCode]);
    }
  }
  const byId = new Map(persons.map((p) => [p.idNumber, p]));
  // The first few priority patients never signed (DEMO_GAPS.withoutContract), the next ones have planted gaps.
  const [, expired, short, ...regular] = ((ids) => {
    const a = DEMO_GAPS.withoutContract;
    const b = a + DEMO_GAPS.expiredContract;
    const c = b + DEMO_GAPS.followUpsShort;
    return [ids.slice(0, a), ids.slice(a, b), ids.slice(b, c), ...ids.slice(c).map((id) => [id])];
  })(r.shuffle([...priority.keys()].sort()));

  const contracts: DemoContract[] = [];
  const contract = (idNumber: string, signedOn: string, visits: number): DemoContract => {
    const p = byId.get(idNumber)!;
    const validUntil = addYears(signedOn, 1);
    const last = [validUntil, DEMO_AS_OF].sort()[0];
    const span = daysBetween(signedOn, last);
    const followUps = Array.from({ length: visits }, (_, i) => ({
      visitedOn: addDays(signedOn, Math.min(span, Math.floor(((i + 0.5) * span) / Math.max(visits, 1)) + r.int(-5, 5))),
      kind: r.weighted(FOLLOW_UP_KINDS),
    })).map((f) => ({ ...f, visitedOn: f.visitedOn < signedOn ? signedOn : f.visitedOn }));
    return {
      idNumber,
      institution: r.next() < 0.7 ? `${p.subdistrict}社区卫生服务中心` : `${p.subdistrict.replace('街道', '')}卫生院`,
      doctorName: r.pick(DOCTORS),
      signedOn,
      validUntil,
      diseaseCodes: priority.get(idNumber)!,
      followUps: followUps.sort((x, y) => x.visitedOn.localeCompare(y.visitedOn)),
    };
  };
  const required = (idNumber: string) => Math.max(...priority.get(idNumber)!.map((c) => PRIORITY_FOLLOW_UPS[c]));
  const due = (signedOn: string, idNumber: string) =>
    Math.floor((required(idNumber) * daysBetween(signedOn, DEMO_AS_OF)) / daysBetween(signedOn, addYears(signedOn, 1)));

  for (const idNumber of expired) {
    const signedOn = addDays('2019-01-05', r.int(0, 60)); // ran out in January–March 2020
    contracts.push(contract(idNumber, signedOn, required(idNumber)));
  }
  for (const idNumber of short) {
    const signedOn = addDays('2019-06-01', r.int(0, 150)); // well over a quarter before DEMO_AS_OF
    contracts.push(contract(idNumber, signedOn, Math.max(0, due(signedOn, idNumber) - r.int(1, 2))));
  }
  for (const [idNumber] of regular) {
    const signedOn = addDays('2019-04-20', r.int(0, 330)); // 2019-04-20 … 2020-03-15: all valid on DEMO_AS_OF
    contracts.push(contract(idNumber, signedOn, due(signedOn, idNumber) + r.int(0, 1)));
  }

  // Enrollment: everybody in 2019 and 2020 but a few planted gaps in 2020; poor households subsidised.
  const missing2020 = new Set(r.shuffle(persons.map((p) => p.idNumber).sort()).slice(0, DEMO_GAPS.notInsured2020));
  const enrollments: DemoEnrollment[] = [];
  for (const p of persons) {
    const subsidized = p.household.status === 'poor' || r.next() < 0.8;
    enrollments.push({ idNumber: p.idNumber, year: 2019, enrolled: true, subsidized });
    if (!missing2020.has(p.idNumber)) {
      enrollments.push({ idNumber: p.idNumber, year: 2020, enrolled: true, subsidized });
    }
  }
  return { conditions, contracts, enrollments };
}
