import { addDaysSql, daysBetweenSql, intDivSql, subdistrictCodeSql } from '../common/sql.js';
import { COUNTS_SQL, LAST_DAY_SQL } from '../health/contracts.service.js';
import {
  bpControlledSql,
  DIABETES,
  glucoseControlledSql,
  HYPERTENSION,
  UNCONTROLLED_RECALL_DAYS,
} from '../health/follow-up-rules.js';
import { DEFAULT_TREATMENT_START_DAYS, treatmentStartedSql } from '../health/treatment-rules.js';
import { PRIORITY_CONTRACT, REGISTERED } from './indicators.service.js';
import type { WorklistKind, WorklistSort } from './worklist-kinds.js';

/**
 * One working list as SQL: the rows' source (FROM … WHERE …, scoped by :scope) and the expressions
 * of each row's columns. The lists' rules are the health module's (contract-status, follow-up-rules,
 * treatment-rules) and the indicators' (在册人口, 签约率), written as SQL once there and reused here.
 */
export interface WorklistSql {
  from: string;
  /** The row's own id: a contract, a condition, a person or an item. */
  ref: string;
  /** The date that makes the row due. */
  due: string;
  /** A condition on the derived table `t` (its dueOn); null when every row of `from` is on the list. */
  dueFilter: string | null;
  /** The row's line: the doctor, the hospital, the item's title. */
  detail: string;
  /** The region the row lies in (the household's; an item without one: its sub-district). */
  region: string;
  /** The row's person and household ids (null for an item about neither, or about one outside the caller's scope). */
  person: string;
  household: string;
  /** Rows are groups of `from`'s (one per person): `count` counts them without grouping. */
  groupBy?: string;
  count?: string;
  /** A leaner source for the count, when the row's joins do not change it. */
  countFrom?: string;
}

/**
 * Days a confirmed major disease may wait for treatment: treatmentStartDays of the latest campaign of
 * :asOf's year (the gap check's setting), DEFAULT_TREATMENT_START_DAYS without one. Confirmed more than
 * that many days before :asOf ⇔ confirmed + days < :asOf (treatment-rules treatmentOverdue).
 */
const START_DAYS = `COALESCE((SELECT cp.treatmentStartDays FROM campaigns cp WHERE cp.year = :year ORDER BY cp.id DESC LIMIT 1),
  ${DEFAULT_TREATMENT_START_DAYS})`;

/** The region condition of the registered persons (REGISTERED) and of an item's household. */
const SCOPED = 'AND h.regionCode LIKE :scope';

/** A contract `c` of a registered person `p` (household `h`), in force on :asOf. */
const CONTRACTS_IN_FORCE = `${REGISTERED.replace('persons p', 'contracts c INNER JOIN persons p ON p.id = c.personId')}
  AND c.signedOn <= :asOf AND ${LAST_DAY_SQL} >= :asOf`;

/** The latest follow-up that counts of the contract `c` on or before :asOf (by day, then by entry), as `f`. */
const LAST_FOLLOW_UP = `LEFT JOIN follow_ups f ON f.id = (SELECT f2.id FROM follow_ups f2 WHERE f2.contractId = c.id
  AND f2.visitedOn <= :asOf AND ${COUNTS_SQL.replaceAll('f.', 'f2.')} ORDER BY f2.visitedOn DESC, f2.id DESC LIMIT 1)`;

/**
 * follow-up-rules nextDueOn() for the contract `c` and its last follow-up `f`, the earliest over its
 * diseases: the catalogue's interval after `f` (after signing without one), UNCONTROLLED_RECALL_DAYS
 * after an uncontrolled reading of that disease. Null when no covered disease has an interval.
 */
function nextDueSql(dbType: string): string {
  const uncontrolled = `f.id IS NOT NULL AND (
    (d.code = '${HYPERTENSION}' AND f.systolic IS NOT NULL AND f.diastolic IS NOT NULL AND NOT ${bpControlledSql('f')})
    OR (d.code = '${DIABETES}' AND f.fastingGlucose IS NOT NULL AND NOT ${glucoseControlledSql('f')}))`;
  const interval = `(SELECT MIN(CASE WHEN ${uncontrolled} THEN ${UNCONTROLLED_RECALL_DAYS} ELSE d.followUpIntervalDays END)
    FROM contract_diseases cd INNER JOIN diseases d ON d.code = cd.diseaseCode
    WHERE cd.contractId = c.id AND d.followUpIntervalDays IS NOT NULL)`;
  return addDaysSql(dbType, 'COALESCE(f.visitedOn, c.signedOn)', interval);
}

/**
 * The day a noncompliant contract `c` fell short (contract-status: visits < floor(required × elapsed / term)):
 * the day pro rata reached visits + 1, signedOn + ceil((visits + 1) × term / required).
 */
function shortSinceSql(dbType: string): string {
  const visits = `(SELECT COUNT(*) FROM follow_ups f WHERE f.contractId = c.id AND f.visitedOn <= :asOf AND ${COUNTS_SQL})`;
  const term = daysBetweenSql(dbType, 'c.signedOn', 'c.validUntil');
  const days = intDivSql(dbType, `(${visits} + 1) * ${term} + c.requiredFollowUps - 1`, 'c.requiredFollowUps');
  return addDaysSql(dbType, 'c.signedOn', days);
}

/** The caller's open items `i`: not closed, in the scope's sub-district, of the departments the caller acts for. */
function itemsWhere(departments: readonly string[]): string {
  return `i.status <> 'closed' AND i.regionCode LIKE :itemScope AND i.responsibleDept IN (${departments.map((d) => `'${d}'`).join(', ')})`;
}

/**
 * The caller's open items `i` with their subject's person `p` and household `h`; `h` only while it lies
 * in the caller's scope (an item may name a resident of another sub-district: never shown to its officer).
 */
function openItems(villageScope: boolean, departments: readonly string[]): string {
  return `items i
    LEFT JOIN persons p ON i.subjectType = 'person' AND p.id = i.subjectId
    LEFT JOIN households h ON h.id = (CASE WHEN i.subjectType = 'household' THEN i.subjectId ELSE p.householdId END)
      ${SCOPED}
    WHERE ${itemsWhere(departments)}${villageScope ? ' AND h.id IS NOT NULL' : ''}`;
}

export interface WorklistSqlOptions {
  dbType: string;
  /** The scope is a village: items are kept by their subject's household. */
  villageScope: boolean;
  /** The caller sees the whole district and asks for no region. */
  wholeDistrict: boolean;
  /** The departments whose items the caller acts on. */
  departments: readonly string[];
}

/** The SQL of each list; parameters: :asOf, :year, :scope, :yes, :quarterAgo, :until, :itemScope. */
export function worklistSql(kind: WorklistKind, options: WorklistSqlOptions): WorklistSql {
  const sql = kindSql(kind, options);
  // The whole district: no region condition at all, so that the planners start from the list's own table.
  return options.wholeDistrict ? { ...sql, from: sql.from.replaceAll(SCOPED, '') } : sql;
}

function kindSql(kind: WorklistKind, options: WorklistSqlOptions): WorklistSql {
  const { dbType } = options;
  const person = { region: 'h.regionCode', person: 'p.id', household: 'h.id' };
  switch (kind) {
    case 'followups_overdue':
    case 'followups_due':
      return {
        ...person,
        from: CONTRACTS_IN_FORCE.replace('WHERE', `${LAST_FOLLOW_UP} WHERE`),
        ref: 'c.id',
        due: nextDueSql(dbType),
        dueFilter: kind === 'followups_overdue' ? 't.dueOn < :asOf' : 't.dueOn >= :asOf AND t.dueOn <= :until',
        detail: 'c.doctorName',
      };
    case 'contracts_noncompliant':
      // contract-status's test, visits < floor(required × elapsed / term), holds exactly when the day
      // pro rata reached visits + 1 (shortSinceSql) is on or before :asOf: the visits are counted once.
      return {
        ...person,
        from: `${CONTRACTS_IN_FORCE} AND c.signedOn < :quarterAgo`,
        ref: 'c.id',
        due: shortSinceSql(dbType),
        dueFilter: 't.dueOn <= :asOf',
        detail: 'c.doctorName',
      };
    case 'contracts_expiring':
      return {
        ...person,
        from: `${CONTRACTS_IN_FORCE} AND ${LAST_DAY_SQL} <= :until
          AND NOT EXISTS (SELECT 1 FROM contracts c2 WHERE c2.personId = c.personId AND c2.id <> c.id
            AND c2.signedOn <= :asOf AND COALESCE(c2.endedOn, c2.validUntil) > ${LAST_DAY_SQL})`,
        ref: 'c.id',
        due: LAST_DAY_SQL,
        dueFilter: null,
        detail: 'c.doctorName',
      };
    case 'chronic_unsigned':
      // 签约率's denominator less its numerator, one row per person (its first priority diagnosis).
      return {
        ...person,
        from: `${REGISTERED.replace(
          'persons p',
          `conditions k INNER JOIN diseases dk ON dk.code = k.diseaseCode AND dk.contractPriority = :yes
            INNER JOIN persons p ON p.id = k.personId`,
        )} AND k.diagnosedOn <= :asOf AND NOT ${PRIORITY_CONTRACT}`,
        groupBy: 'p.id, h.id, h.regionCode',
        count: 'COUNT(DISTINCT p.id)',
        ref: 'p.id',
        due: 'MIN(k.diagnosedOn)',
        dueFilter: null,
        detail: "''",
      };
    case 'treatment_pending': {
      const due = addDaysSql(dbType, 'COALESCE(k.confirmedOn, k.diagnosedOn)', START_DAYS);
      return {
        ...person,
        from: `${REGISTERED.replace(
          'WHERE',
          `INNER JOIN conditions k ON k.personId = p.id INNER JOIN diseases d ON d.code = k.diseaseCode AND d.kind = 'major' WHERE`,
        )} AND k.treatmentStatus NOT IN ('declined', 'deceased') AND ${treatmentStartedSql('k', ':asOf')} = 0
          AND ${due} < :asOf`,
        ref: 'k.id',
        due,
        dueFilter: null,
        detail: "COALESCE(k.hospital, '')",
      };
    }
    case 'items_due':
      return {
        from: openItems(options.villageScope, options.departments),
        countFrom: options.villageScope ? undefined : `items i WHERE ${itemsWhere(options.departments)}`,
        ref: 'i.id',
        due: 'i.deadline',
        dueFilter: null,
        detail: 'i.title',
        region: 'COALESCE(h.regionCode, i.regionCode)',
        person: 'CASE WHEN h.id IS NULL THEN NULL ELSE p.id END',
        household: 'h.id',
      };
  }
}

const ORDER: Record<WorklistSort, string> = {
  due: 'dueOn, refId',
  village: 'regionCode, dueOn, refId',
};

/** The list's rows as the derived table `t` (ids, region and date only), kept by the list's date condition. */
function rowsOf(sql: WorklistSql): string {
  const inner = `SELECT ${sql.ref} AS refId, ${sql.detail} AS detail, ${sql.person} AS personId,
    ${sql.household} AS householdId, ${sql.region} AS regionCode, ${sql.due} AS dueOn
    FROM ${sql.from}${sql.groupBy ? ` GROUP BY ${sql.groupBy}` : ''}`;
  return `SELECT * FROM (${inner}) t${sql.dueFilter ? ` WHERE ${sql.dueFilter}` : ''}`;
}

/**
 * One page (or, without a limit, every row) of the list, most urgent first; the person, household,
 * village and sub-district of the page's rows only.
 */
export function pageSql(sql: WorklistSql, dbType: string, sort: WorklistSort, limit?: number, offset = 0): string {
  const order = (alias: string) =>
    ORDER[sort]
      .split(', ')
      .map((c) => `${alias}.${c}`)
      .join(', ');
  const page = limit === undefined ? '' : ` LIMIT ${limit} OFFSET ${offset}`;
  const street = subdistrictCodeSql(dbType, 'w.regionCode');
  return `SELECT w.*, pw.name AS personName, pw.idNumber, hw.registryNo, rv.name AS villageName,
      ${street} AS streetCode, rs.name AS streetName
    FROM (SELECT * FROM (${rowsOf(sql)}) u ORDER BY ${order('u')}${page}) w
    LEFT JOIN persons pw ON pw.id = w.personId
    LEFT JOIN households hw ON hw.id = w.householdId
    LEFT JOIN regions rv ON rv.code = w.regionCode AND rv.level = 'village'
    LEFT JOIN regions rs ON rs.code = ${street}
    ORDER BY ${order('w')}`;
}

/** The number of rows on the list (without computing the due dates when no date condition needs them). */
export function countSql(sql: WorklistSql): string {
  return sql.dueFilter === null
    ? `SELECT ${sql.count ?? 'COUNT(*)'} AS n FROM ${sql.countFrom ?? sql.from}`
    : `SELECT COUNT(*) AS n FROM (${rowsOf(sql)}) c`;
}

/** The list's rows per region (village, or the sub-district for households registered there), with the region's name. */
export function byRegionSql(sql: WorklistSql): string {
  return `SELECT g.regionCode, r.name, g.n FROM (SELECT t.regionCode, COUNT(*) AS n FROM (${rowsOf(sql)}) t
    GROUP BY t.regionCode) g LEFT JOIN regions r ON r.code = g.regionCode ORDER BY g.regionCode`;
}
