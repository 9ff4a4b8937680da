import type { DataSource } from 'typeorm';
import { WORKLIST_KINDS } from '../../src/reports/worklist-kinds.js';

/**
 * The working lists of SPEC §6.3 computed in plain JavaScript from the raw tables — written from the
 * SPEC's words, independently of the service's SQL — for the tests to compare with. Each list is a
 * map from the row's own id (contract, person, condition, item) to its street (first nine digits).
 */
export type OracleLists = Record<string, Map<number, string>>;

type Row = Record<string, unknown>;

const day = (d: unknown): string => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));
const ms = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
const plusDays = (d: string, n: number) => new Date(ms(d) + n * 86_400_000).toISOString().slice(0, 10);
const known = (v: unknown) => v !== null && v !== undefined;
const between = (from: string, to: string) => Math.round((ms(to) - ms(from)) / 86_400_000);
function minusMonths(d: string, n: number): string {
  const [y, m, dd] = d.split('-').map(Number);
  const total = y * 12 + (m - 1) - n;
  const last = new Date(Date.UTC(Math.floor(total / 12), (total % 12) + 1, 0)).getUTCDate();
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}-${String(Math.min(dd, last)).padStart(2, '0')}`;
}

export async function oracleWorklists(db: DataSource, asOf: string, startDays: number): Promise<OracleLists> {
  const all = (sql: string) => db.query<Row[]>(sql);
  const [households, persons, contracts, covered, followUps, diseases, conditions, items] = await Promise.all([
    all('SELECT id, regionCode, status, registeredYear FROM households'),
    all('SELECT id, householdId, status FROM persons'),
    all('SELECT id, personId, signedOn, validUntil, endedOn, requiredFollowUps FROM contracts'),
    all('SELECT contractId, diseaseCode FROM contract_diseases'),
    all('SELECT id, contractId, visitedOn, result, systolic, diastolic, fastingGlucose FROM follow_ups'),
    all('SELECT code, kind, contractPriority, followUpIntervalDays FROM diseases'),
    all(
      'SELECT id, personId, diseaseCode, diagnosedOn, confirmedOn, treatmentStartedOn, treatmentStatus FROM conditions',
    ),
    all('SELECT id, regionCode, status, responsibleDept FROM items'),
  ]);
  const household = new Map(households.map((h) => [Number(h.id), h]));
  const disease = new Map(diseases.map((d) => [String(d.code), d]));
  const visitsOf = new Map<number, Row[]>();
  for (const f of followUps) {
    visitsOf.set(Number(f.contractId), [...(visitsOf.get(Number(f.contractId)) ?? []), f]);
  }
  const contractsOf = new Map<number, Row[]>();
  for (const c of contracts) {
    contractsOf.set(Number(c.personId), [...(contractsOf.get(Number(c.personId)) ?? []), c]);
  }
  const lastDay = (c: Row) => (c.endedOn && day(c.endedOn) < day(c.validUntil) ? day(c.endedOn) : day(c.validUntil));
  const inForce = (c: Row) => day(c.signedOn) <= asOf && lastDay(c) >= asOf;
  const counts = (f: Row) => f.result !== 'unreachable' && f.result !== 'away';
  const year = Number(asOf.slice(0, 4));

  // 在册: household kept and registered by asOf's year; active, or died (a 'died' follow-up) after asOf.
  const streetOf = new Map<number, string>();
  for (const p of persons) {
    const h = household.get(Number(p.householdId))!;
    const diedLater = (contractsOf.get(Number(p.id)) ?? []).some((c) =>
      (visitsOf.get(Number(c.id)) ?? []).some((f) => f.result === 'died' && day(f.visitedOn) > asOf),
    );
    if (
      h.status !== 'removed' &&
      Number(h.registeredYear) <= year &&
      (p.status === 'active' || (p.status === 'deceased' && diedLater))
    ) {
      streetOf.set(Number(p.id), String(h.regionCode).slice(0, 9));
    }
  }

  const lists: OracleLists = Object.fromEntries(
    WORKLIST_KINDS.filter((k) => k !== 'items_due').map((k) => [k, new Map<number, string>()]),
  );
  for (const c of contracts) {
    const street = streetOf.get(Number(c.personId));
    if (street === undefined || !inForce(c)) {
      continue;
    }
    const visits = (visitsOf.get(Number(c.id)) ?? []).filter((f) => counts(f) && day(f.visitedOn) <= asOf);
    const last = [...visits].sort((a, b) =>
      day(a.visitedOn) === day(b.visitedOn)
        ? Number(b.id) - Number(a.id)
        : day(b.visitedOn) < day(a.visitedOn)
          ? -1
          : 1,
    )[0];
    const intervals = covered
      .filter((cd) => Number(cd.contractId) === Number(c.id))
      .map((cd) => disease.get(String(cd.diseaseCode))!)
      .filter((d) => d.followUpIntervalDays !== null)
      .map((d) => {
        const highBp =
          d.code === 'hypertension' &&
          known(last?.systolic) &&
          known(last?.diastolic) &&
          !(Number(last.systolic) < 140 && Number(last.diastolic) < 90);
        const highGlucose =
          d.code === 'diabetes_t2' && known(last?.fastingGlucose) && !(Number(last.fastingGlucose) < 7);
        return highBp || highGlucose ? 14 : Number(d.followUpIntervalDays);
      });
    if (intervals.length > 0) {
      const due = plusDays(last ? day(last.visitedOn) : day(c.signedOn), Math.min(...intervals));
      if (due < asOf) {
        lists.followups_overdue.set(Number(c.id), street);
      } else if (due <= plusDays(asOf, 7)) {
        lists.followups_due.set(Number(c.id), street);
      }
    }
    const term = between(day(c.signedOn), day(c.validUntil));
    const elapsed = between(day(c.signedOn), asOf);
    if (
      day(c.signedOn) < minusMonths(asOf, 3) &&
      visits.length < Math.floor((Number(c.requiredFollowUps) * elapsed) / term)
    ) {
      lists.contracts_noncompliant.set(Number(c.id), street);
    }
    const renewed = (contractsOf.get(Number(c.personId)) ?? []).some(
      (o) => Number(o.id) !== Number(c.id) && day(o.signedOn) <= asOf && lastDay(o) > lastDay(c),
    );
    if (lastDay(c) <= plusDays(asOf, 30) && !renewed) {
      lists.contracts_expiring.set(Number(c.id), street);
    }
  }
  for (const [personId, street] of streetOf) {
    const priority = (code: unknown) => Boolean(Number(disease.get(String(code))!.contractPriority));
    const patient = conditions.some(
      (k) => Number(k.personId) === personId && priority(k.diseaseCode) && day(k.diagnosedOn) <= asOf,
    );
    const signed = (contractsOf.get(personId) ?? []).some(
      (c) => inForce(c) && covered.some((cd) => Number(cd.contractId) === Number(c.id) && priority(cd.diseaseCode)),
    );
    if (patient && !signed) {
      lists.chronic_unsigned.set(personId, street);
    }
  }
  for (const k of conditions) {
    const street = streetOf.get(Number(k.personId));
    if (street === undefined || disease.get(String(k.diseaseCode))!.kind !== 'major') {
      continue;
    }
    const confirmed = day(k.confirmedOn ?? k.diagnosedOn);
    const started = k.treatmentStartedOn
      ? day(k.treatmentStartedOn) <= asOf
      : k.treatmentStatus === 'in_treatment' || k.treatmentStatus === 'treated';
    if (
      !['declined', 'deceased'].includes(String(k.treatmentStatus)) &&
      !started &&
      between(confirmed, asOf) > startDays
    ) {
      lists.treatment_pending.set(Number(k.id), street);
    }
  }
  lists.items_due = new Map(
    items.filter((i) => i.status !== 'closed').map((i) => [Number(i.id), String(i.regionCode).slice(0, 9)]),
  );
  lists.items_due_insurance = new Map(
    items
      .filter((i) => i.status !== 'closed' && i.responsibleDept === 'insurance')
      .map((i) => [Number(i.id), String(i.regionCode).slice(0, 9)]),
  );
  return lists;
}
