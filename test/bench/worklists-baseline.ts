import { threeMonthsBefore } from './indicators-baseline.js';
import type { Dialect } from './indicators-data.js';

/**
 * The worklists benchmark's baseline: each list's first page and its count written by hand from the
 * definitions (src/reports/worklist-kinds.ts), not from the service's SQL, for an admin (the whole
 * district). A page is the rows' ids and dates, most urgent first, then the person, household and
 * region names of those rows only. Dates are literals worked out here.
 */
export interface BaselineList {
  page: string;
  count: string;
}

/** The day `days` days before `asOf` (YYYY-MM-DD). */
function daysBefore(asOf: string, days: number): string {
  return new Date(Date.parse(`${asOf}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
}

export function worklistBaseline(
  d: Dialect,
  asOf: string,
  pageSize: number,
  startDays = 30,
): Record<string, BaselineList> {
  const day = `'${asOf}'`;
  const year = Number(asOf.slice(0, 4));
  // On the register on asOf: household kept and registered by then; the person active, or died after asOf.
  const registered = `h.status IN ('poor', 'lifted') AND h.registeredYear <= ${year}
    AND (p.status = 'active' OR (p.status = 'deceased' AND p.id IN (SELECT dc.personId FROM contracts dc
      INNER JOIN follow_ups df ON df.contractId = dc.id WHERE df.result = 'died' AND df.visitedOn > ${day})))`;
  const people = 'INNER JOIN persons p ON p.id = c.personId INNER JOIN households h ON h.id = p.householdId';
  const inForce = `c.signedOn <= ${day} AND (CASE WHEN c.endedOn < c.validUntil THEN c.endedOn ELSE c.validUntil END) >= ${day}`;
  const counted = (f: string) => `(${f}.result IS NULL OR ${f}.result NOT IN ('unreachable', 'away'))`;

  /** The rows as (id, due, personId): a page of them with names, and their count. */
  const list = (rows: string, where = ''): BaselineList => ({
    page: `SELECT x.id, x.due AS dueOn, p.name, p.idNumber, h.registryNo, v.name AS villageName, s.name AS streetName
      FROM (SELECT * FROM (${rows}) r ${where} ORDER BY r.due, r.id LIMIT ${pageSize}) x
      LEFT JOIN persons p ON p.id = x.personId LEFT JOIN households h ON h.id = x.householdId
      LEFT JOIN regions v ON v.code = x.regionCode AND v.level = 'village'
      LEFT JOIN regions s ON s.code = ${d.concat('SUBSTR(x.regionCode, 1, 9)', "'000'")}
      ORDER BY x.due, x.id`,
    count: `SELECT COUNT(*) AS n FROM (${rows}) r ${where}`,
  });

  // The next follow-up: the last one that counts (latest day, then entry), plus the shortest interval of
  // the contract's diseases — 14 days for a disease whose reading at that follow-up was not controlled.
  const nextDue = `SELECT c.id, p.id AS personId, h.id AS householdId, h.regionCode,
      ${d.addDays(
        'COALESCE(f.visitedOn, c.signedOn)',
        `(SELECT MIN(CASE WHEN (z.code = 'hypertension' AND (f.systolic >= 140 OR f.diastolic >= 90)
            AND f.systolic IS NOT NULL AND f.diastolic IS NOT NULL)
          OR (z.code = 'diabetes_t2' AND f.fastingGlucose >= 7.0) THEN 14 ELSE z.followUpIntervalDays END)
        FROM contract_diseases cd INNER JOIN diseases z ON z.code = cd.diseaseCode
        WHERE cd.contractId = c.id AND z.followUpIntervalDays IS NOT NULL)`,
      )} AS due
    FROM contracts c ${people}
    LEFT JOIN follow_ups f ON f.id = (SELECT l.id FROM follow_ups l WHERE l.contractId = c.id AND l.visitedOn <= ${day}
      AND ${counted('l')} ORDER BY l.visitedOn DESC, l.id DESC LIMIT 1)
    WHERE ${registered} AND ${inForce}`;

  // Short of follow-ups: visits < floor(required × elapsed / term), signed over a quarter ago.
  const term = d.daysBetween('y.signedOn', 'y.validUntil');
  const shortOf = `SELECT y.id, y.personId, y.householdId, y.regionCode,
      ${d.addDays('y.signedOn', d.div(`(y.visits + 1) * ${term} + y.requiredFollowUps - 1`, 'y.requiredFollowUps'))} AS due
    FROM (SELECT c.id, c.signedOn, c.validUntil, c.requiredFollowUps, p.id AS personId, h.id AS householdId, h.regionCode,
        (SELECT COUNT(*) FROM follow_ups f WHERE f.contractId = c.id AND f.visitedOn <= ${day} AND ${counted('f')}) AS visits
      FROM contracts c ${people}
      WHERE ${registered} AND ${inForce} AND c.signedOn < '${threeMonthsBefore(asOf)}') y
    WHERE (y.visits + 1) * ${term} <= y.requiredFollowUps * ${d.daysBetween('y.signedOn', day)}`;

  const lastDay = (c: string) =>
    `(CASE WHEN ${c}.endedOn < ${c}.validUntil THEN ${c}.endedOn ELSE ${c}.validUntil END)`;
  const expiring = `SELECT c.id, p.id AS personId, h.id AS householdId, h.regionCode, ${lastDay('c')} AS due
    FROM contracts c ${people}
    WHERE ${registered} AND ${inForce} AND ${lastDay('c')} <= ${d.addDays(day, '30')}
      AND NOT EXISTS (SELECT 1 FROM contracts o WHERE o.personId = c.personId AND o.id <> c.id
        AND o.signedOn <= ${day} AND ${lastDay('o')} > ${lastDay('c')})`;

  const unsigned = `SELECT p.id, p.id AS personId, h.id AS householdId, h.regionCode, MIN(k.diagnosedOn) AS due
    FROM conditions k INNER JOIN diseases z ON z.code = k.diseaseCode AND z.contractPriority = 1
      INNER JOIN persons p ON p.id = k.personId INNER JOIN households h ON h.id = p.householdId
    WHERE k.diagnosedOn <= ${day} AND ${registered}
      AND NOT EXISTS (SELECT 1 FROM contracts c INNER JOIN contract_diseases cd ON cd.contractId = c.id
        INNER JOIN diseases z2 ON z2.code = cd.diseaseCode AND z2.contractPriority = 1
        WHERE c.personId = p.id AND ${inForce})
    GROUP BY p.id, h.id, h.regionCode`;

  const confirmed = 'COALESCE(k.confirmedOn, k.diagnosedOn)';
  const untreated = `SELECT k.id, p.id AS personId, h.id AS householdId, h.regionCode, ${d.addDays(confirmed, String(startDays))} AS due
    FROM conditions k INNER JOIN diseases z ON z.code = k.diseaseCode AND z.kind = 'major'
      INNER JOIN persons p ON p.id = k.personId INNER JOIN households h ON h.id = p.householdId
    WHERE ${registered} AND k.treatmentStatus NOT IN ('declined', 'deceased')
      AND ${confirmed} < '${daysBefore(asOf, startDays)}'
      AND ((k.treatmentStartedOn IS NOT NULL AND k.treatmentStartedOn > ${day})
        OR (k.treatmentStartedOn IS NULL AND k.treatmentStatus NOT IN ('in_treatment', 'treated')))`;

  const items = `SELECT i.id, p.id AS personId, h.id AS householdId, COALESCE(h.regionCode, i.regionCode) AS regionCode,
      i.deadline AS due
    FROM items i LEFT JOIN persons p ON i.subjectType = 'person' AND p.id = i.subjectId
      LEFT JOIN households h ON h.id = (CASE WHEN i.subjectType = 'household' THEN i.subjectId ELSE p.householdId END)
    WHERE i.status <> 'closed'`;

  return {
    followups_overdue: list(nextDue, `WHERE r.due < ${day}`),
    followups_due: list(nextDue, `WHERE r.due >= ${day} AND r.due <= ${d.addDays(day, '7')}`),
    contracts_noncompliant: list(shortOf),
    contracts_expiring: list(expiring),
    chronic_unsigned: list(unsigned),
    treatment_pending: list(untreated),
    items_due: list(items),
  };
}
