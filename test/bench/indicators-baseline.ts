import type { Dialect } from './indicators-data.js';
import type { IndicatorKeyOf } from '../utils/indicator-oracle.js';

/**
 * The benchmark's baseline: one hand-written query per indicator of SPEC §6.4, written from the
 * definitions (src/reports/indicator-definitions.ts) and not from IndicatorsService's SQL, each
 * answering `area` (the sub-district's first 9 digits), `numerator` and `denominator`. Dates are
 * literals worked out here; the registered persons are a CTE each query repeats.
 */
export type BaselineKey = IndicatorKeyOf;

/** asOf minus three calendar months, the day clamped to the month's end (2020-05-31 → 2020-02-29). */
export function threeMonthsBefore(asOf: string): string {
  const [y, m, day] = asOf.split('-').map(Number);
  const month = m - 3 < 1 ? m + 9 : m - 3;
  const year = m - 3 < 1 ? y - 1 : y;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(day, last)).padStart(2, '0')}`;
}

export function baselineQueries(d: Dialect, asOf: string): Record<BaselineKey, string> {
  const year = Number(asOf.slice(0, 4));
  const day = `'${asOf}'`;
  const quarterAgo = `'${threeMonthsBefore(asOf)}'`;
  // Registered on asOf: household not removed and registered by asOf's year; the person active, or
  // recorded deceased by a `died` follow-up dated after asOf.
  const reg = `WITH reg AS (
    SELECT p.id, SUBSTR(h.regionCode, 1, 9) AS area FROM persons p INNER JOIN households h ON h.id = p.householdId
    WHERE h.status IN ('poor', 'lifted') AND h.registeredYear <= ${year}
      AND (p.status = 'active' OR (p.status = 'deceased' AND p.id IN (
        SELECT dc.personId FROM contracts dc INNER JOIN follow_ups df ON df.contractId = dc.id
        WHERE df.result = 'died' AND df.visitedOn > ${day}))))`;
  const enrolled = (subsidized: boolean) => `${reg}
    SELECT reg.area, COUNT(e.id) AS numerator, COUNT(*) AS denominator FROM reg
    LEFT JOIN insurance_enrollments e ON e.personId = reg.id AND e.year = ${year} AND e.enrolled = 1${subsidized ? ' AND e.subsidized = 1' : ''}
    GROUP BY reg.area`;
  // A contract's last day: the day it ended (the person died), if before the end of its term.
  const lastDay = 'CASE WHEN c.endedOn < c.validUntil THEN c.endedOn ELSE c.validUntil END';
  // Follow-ups that count (not unreachable, not away) up to asOf: of one contract, or per contract.
  const countsSql = (contract: string | null) =>
    `SELECT ${contract ? 'COUNT(*)' : 'f.contractId, COUNT(*) AS n'} FROM follow_ups f
    WHERE ${contract ? `f.contractId = ${contract} AND ` : ''}f.visitedOn <= ${day}
      AND (f.result IS NULL OR f.result NOT IN ('unreachable', 'away'))${contract ? '' : ' GROUP BY f.contractId'}`;
  // The last reading on or before asOf, per registered person, over all their contracts.
  const lastReading = (columns: string, notNull: string, controlled: string) => `${reg}
    SELECT x.area, SUM(CASE WHEN ${controlled} THEN 1 ELSE 0 END) AS numerator, COUNT(*) AS denominator
    FROM (
      SELECT reg.area, ${columns},
        ROW_NUMBER() OVER (PARTITION BY reg.id ORDER BY f.visitedOn DESC, f.id DESC) AS rn
      FROM reg INNER JOIN contracts c ON c.personId = reg.id INNER JOIN follow_ups f ON f.contractId = c.id
      WHERE f.${notNull} IS NOT NULL AND f.visitedOn <= ${day}
    ) x
    WHERE x.rn = 1
    GROUP BY x.area`;
  return {
    insuredRate: enrolled(false),
    subsidizedRate: enrolled(true),
    contractRate: `${reg}
      SELECT reg.area, COUNT(signed.personId) AS numerator, COUNT(*) AS denominator FROM reg
      INNER JOIN (SELECT DISTINCT k.personId FROM conditions k INNER JOIN diseases dk ON dk.code = k.diseaseCode
        WHERE dk.contractPriority = 1 AND k.diagnosedOn <= ${day}) patient ON patient.personId = reg.id
      LEFT JOIN (SELECT DISTINCT c.personId FROM contracts c
        INNER JOIN contract_diseases cd ON cd.contractId = c.id
        INNER JOIN diseases dc ON dc.code = cd.diseaseCode AND dc.contractPriority = 1
        WHERE c.signedOn <= ${day} AND ${lastDay} >= ${day}
      ) signed ON signed.personId = reg.id
      GROUP BY reg.area`,
    // Short of follow-ups: signed more than a quarter ago, and fewer that count than
    // floor(required × days since signing / days of the term). The follow-ups are counted per contract
    // by a correlated subquery on SQLite and by one GROUP BY over the table on MariaDB: each the
    // faster of the two there (SQLite's GROUP BY reads every follow-up's row; MariaDB probes per
    // contract at random).
    managedRate: `${reg}
      SELECT reg.area, SUM(CASE WHEN c.signedOn < ${quarterAgo}
          AND ${d.type === 'sqlite' ? `(${countsSql('c.id')})` : 'COALESCE(v.n, 0)'} < ${d.div(`c.requiredFollowUps * ${d.daysBetween('c.signedOn', day)}`, d.daysBetween('c.signedOn', 'c.validUntil'))}
          THEN 0 ELSE 1 END) AS numerator, COUNT(*) AS denominator
      FROM reg INNER JOIN contracts c ON c.personId = reg.id
      ${d.type === 'sqlite' ? '' : `LEFT JOIN (${countsSql(null)}) v ON v.contractId = c.id`}
      WHERE c.signedOn <= ${day} AND ${lastDay} >= ${day}
      GROUP BY reg.area`,
    bpControlRate: lastReading('f.systolic, f.diastolic', 'systolic', 'x.systolic < 140 AND x.diastolic < 90'),
    glucoseControlRate: lastReading('f.fastingGlucose', 'fastingGlucose', 'x.fastingGlucose < 7'),
    treatmentRate: `${reg}
      SELECT reg.area, SUM(CASE WHEN k.treatmentStartedOn <= ${day}
          OR (k.treatmentStartedOn IS NULL AND k.treatmentStatus IN ('in_treatment', 'treated')) THEN 1 ELSE 0 END) AS numerator,
        COUNT(*) AS denominator
      FROM reg INNER JOIN conditions k ON k.personId = reg.id
      INNER JOIN diseases dm ON dm.code = k.diseaseCode AND dm.kind = 'major'
      WHERE COALESCE(k.confirmedOn, k.diagnosedOn) <= ${day}
      GROUP BY reg.area`,
  };
}
