import type { DataSource } from 'typeorm';

/**
 * The indicators of SPEC §6.4 computed again, independently of the production code: the raw rows are
 * read with plain SQL and counted here in plain TypeScript, as the written definitions say.
 */
type Figures = Record<string, { numerator: number; denominator: number }>;

/** The seven indicators SPEC §6.4 names, listed here rather than read from the production code. */
export const KEYS = [
  'insuredRate',
  'subsidizedRate',
  'contractRate',
  'managedRate',
  'bpControlRate',
  'glucoseControlRate',
  'treatmentRate',
] as const;
export type IndicatorKeyOf = (typeof KEYS)[number];

/** The numerator and denominator of each indicator of an answer's set (its values left out). */
export function countsOf(set: Record<string, { numerator: number; denominator: number }>): Figures {
  return Object.fromEntries(KEYS.map((k) => [k, { numerator: set[k].numerator, denominator: set[k].denominator }]));
}

const days = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
const monthsBefore = (date: string, months: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.toISOString().slice(0, 10);
};

/** Per sub-district code (12 digits) and `district`: numerator and denominator of each indicator. */
export async function oracleIndicators(db: DataSource, asOf: string): Promise<Record<string, Figures>> {
  const year = Number(asOf.slice(0, 4));
  const q = (sql: string) => db.query<Record<string, unknown>[]>(sql);
  const [persons, enrollments, contracts, covered, diseases, followUps, conditions] = await Promise.all([
    q(`SELECT p.id, p.status, h.regionCode, h.status AS householdStatus, h.registeredYear
       FROM persons p JOIN households h ON h.id = p.householdId`),
    q('SELECT personId, year, enrolled, subsidized FROM insurance_enrollments'),
    q('SELECT id, personId, signedOn, validUntil, endedOn, requiredFollowUps FROM contracts'),
    q('SELECT contractId, diseaseCode FROM contract_diseases'),
    q('SELECT code, kind, contractPriority FROM diseases'),
    q('SELECT id, contractId, visitedOn, result, systolic, diastolic, fastingGlucose FROM follow_ups'),
    q('SELECT personId, diseaseCode, diagnosedOn, confirmedOn, treatmentStartedOn, treatmentStatus FROM conditions'),
  ]);
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 10) : null);
  const priority = new Set(diseases.filter((d) => Number(d.contractPriority) === 1).map((d) => String(d.code)));
  const major = new Set(diseases.filter((d) => d.kind === 'major').map((d) => String(d.code)));
  const contractOf = new Map(contracts.map((c) => [Number(c.id), c]));
  const diedAfter = new Set(
    followUps
      .filter((f) => f.result === 'died' && str(f.visitedOn)! > asOf)
      .map((f) => Number(contractOf.get(Number(f.contractId))!.personId)),
  );
  const registered = new Map(
    persons
      .filter(
        (p) =>
          p.householdStatus !== 'removed' &&
          Number(p.registeredYear) <= year &&
          (p.status === 'active' || (p.status === 'deceased' && diedAfter.has(Number(p.id)))),
      )
      .map((p) => [Number(p.id), `${String(p.regionCode).slice(0, 9)}000`]),
  );

  const out: Record<string, Figures> = {};
  const count = (area: string, key: string, hit: boolean) => {
    for (const where of [area, 'district']) {
      out[where] ??= Object.fromEntries(KEYS.map((k) => [k, { numerator: 0, denominator: 0 }]));
      out[where][key].denominator += 1;
      out[where][key].numerator += hit ? 1 : 0;
    }
  };
  const lastDay = (c: Record<string, unknown>) => {
    const ended = str(c.endedOn);
    const valid = str(c.validUntil)!;
    return ended !== null && ended < valid ? ended : valid;
  };
  const inForce = (c: Record<string, unknown>) => str(c.signedOn)! <= asOf && lastDay(c) >= asOf;
  const counts = (f: Record<string, unknown>) => f.result !== 'unreachable' && f.result !== 'away';

  for (const [personId, area] of registered) {
    const mine = enrollments.filter((e) => Number(e.personId) === personId && Number(e.year) === year);
    count(
      area,
      'insuredRate',
      mine.some((e) => Number(e.enrolled) === 1),
    );
    count(
      area,
      'subsidizedRate',
      mine.some((e) => Number(e.enrolled) === 1 && Number(e.subsidized) === 1),
    );
    const ownConditions = conditions.filter((k) => Number(k.personId) === personId);
    const ownContracts = contracts.filter((c) => Number(c.personId) === personId);
    if (ownConditions.some((k) => priority.has(String(k.diseaseCode)) && str(k.diagnosedOn)! <= asOf)) {
      const signed = ownContracts.some(
        (c) =>
          inForce(c) &&
          covered.some((d) => Number(d.contractId) === Number(c.id) && priority.has(String(d.diseaseCode))),
      );
      count(area, 'contractRate', signed);
    }
    for (const c of ownContracts.filter(inForce)) {
      const visits = followUps.filter(
        (f) => Number(f.contractId) === Number(c.id) && str(f.visitedOn)! <= asOf && counts(f),
      ).length;
      const term = days(str(c.signedOn)!, str(c.validUntil)!);
      const elapsed = days(str(c.signedOn)!, asOf);
      const short =
        str(c.signedOn)! < monthsBefore(asOf, 3) && visits < Math.floor((Number(c.requiredFollowUps) * elapsed) / term);
      count(area, 'managedRate', !short);
    }
    const ownIds = new Set(ownContracts.map((c) => Number(c.id)));
    const readings = (column: string) =>
      followUps
        .filter((f) => ownIds.has(Number(f.contractId)) && f[column] !== null && str(f.visitedOn)! <= asOf)
        .sort((a, b) => str(a.visitedOn)!.localeCompare(str(b.visitedOn)!) || Number(a.id) - Number(b.id));
    const bp = readings('systolic').at(-1);
    if (bp) {
      count(area, 'bpControlRate', Number(bp.systolic) < 140 && Number(bp.diastolic) < 90);
    }
    const glucose = readings('fastingGlucose').at(-1);
    if (glucose) {
      count(area, 'glucoseControlRate', Number(glucose.fastingGlucose) < 7);
    }
    for (const k of ownConditions.filter((x) => major.has(String(x.diseaseCode)))) {
      if ((str(k.confirmedOn) ?? str(k.diagnosedOn)!) <= asOf) {
        const started = str(k.treatmentStartedOn);
        count(
          area,
          'treatmentRate',
          started !== null ? started <= asOf : ['in_treatment', 'treated'].includes(String(k.treatmentStatus)),
        );
      }
    }
  }
  return out;
}
