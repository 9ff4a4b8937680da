import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { scopePrefixOf } from '../auth/region-scope.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { addMonths, dateText } from '../common/dates.js';
import { FIRST_REGISTERED_YEAR } from '../common/programme-years.js';
import { LAST_DAY_SQL, shortOfFollowUpsSql } from '../health/contracts.service.js';
import { bpControlledSql, glucoseControlledSql } from '../health/follow-up-rules.js';
import { treatmentStartedSql } from '../health/treatment-rules.js';
import { HOUSEHOLD_STATUSES } from '../households/household.entity.js';
import { Region } from '../regions/region.entity.js';
import { INDICATOR_KEYS, type IndicatorKey } from './indicator-definitions.js';

export interface Indicator {
  numerator: number;
  denominator: number;
  /** numerator / denominator; null when the denominator is 0. */
  value: number | null;
}

/** The enrollment query answers both 参保率 and 资助参保率; every other indicator has its own. */
type QueryName = 'enrollment' | Exclude<IndicatorKey, 'insuredRate' | 'subsidizedRate'>;

export type IndicatorSet = Record<IndicatorKey, Indicator>;

export interface Indicators {
  asOf: string;
  district: IndicatorSet;
  byRegion: ({ regionCode: string; name: string } & IndicatorSet)[];
}

/** A query's answer: one row per sub-district (the first 9 digits of the household's region). */
interface Row {
  area: string;
  numerator: string | number | null;
  denominator: string | number;
}

/**
 * The household statuses still on the register (every one but `removed`), listed rather than `<> 'removed'`:
 * a list is a range on the status index, which lets MySQL/MariaDB start from a smaller table (the
 * contracts, the conditions) instead of reading every household and person first.
 */
const KEPT_STATUSES = HOUSEHOLD_STATUSES.filter((s) => s !== 'removed')
  .map((s) => `'${s}'`)
  .join(', ');

/** The registered persons on :asOf (definitions: REGISTERED_PERSONS), with their household `h` (also the working lists' persons). */
export const REGISTERED = `persons p INNER JOIN households h ON h.id = p.householdId
  WHERE h.status IN (${KEPT_STATUSES}) AND h.registeredYear <= :year AND h.regionCode LIKE :scope
  AND (p.status = 'active' OR (p.status = 'deceased' AND EXISTS (SELECT 1 FROM follow_ups fd
    INNER JOIN contracts kd ON kd.id = fd.contractId WHERE kd.personId = p.id AND fd.result = 'died' AND fd.visitedOn > :asOf)))`;

/** 签约率's numerator for the person `p`: a contract in force on :asOf covering a priority chronic disease. */
export const PRIORITY_CONTRACT = `EXISTS (SELECT 1 FROM contracts c INNER JOIN contract_diseases cd ON cd.contractId = c.id
  INNER JOIN diseases d ON d.code = cd.diseaseCode AND d.contractPriority = :yes
  WHERE c.personId = p.id AND c.signedOn <= :asOf AND ${LAST_DAY_SQL} >= :asOf)`;

/**
 * 签约率's denominator for the person `p`: diagnosed with a priority chronic disease by :asOf. The
 * patients as a list (not EXISTS per person): SQLite then starts from them, not from every person.
 */
const PRIORITY_PATIENT = `p.id IN (SELECT k.personId FROM conditions k INNER JOIN diseases dk ON dk.code = k.diseaseCode AND dk.contractPriority = :yes
  WHERE k.diagnosedOn <= :asOf)`;

/** The latest reading (by day, then by entry) of a person `p` on or before :asOf, as the follow-up `f`. */
const latestReading = (column: string) => `INNER JOIN contracts c ON c.personId = p.id
  INNER JOIN follow_ups f ON f.contractId = c.id AND f.${column} IS NOT NULL AND f.visitedOn <= :asOf
  AND NOT EXISTS (SELECT 1 FROM contracts c2 INNER JOIN follow_ups f2 ON f2.contractId = c2.id
    WHERE c2.personId = p.id AND f2.${column} IS NOT NULL AND f2.visitedOn <= :asOf
    AND (f2.visitedOn > f.visitedOn OR (f2.visitedOn = f.visitedOn AND f2.id > f.id)))`;

/** Counts a person once per sub-district: `numerator` is a 0/1 expression. */
const perPerson = (from: string, numerator: string, where = '') =>
  `SELECT SUBSTR(h.regionCode, 1, 9) AS area, SUM(${numerator}) AS numerator, COUNT(*) AS denominator
   FROM ${from} ${where} GROUP BY SUBSTR(h.regionCode, 1, 9)`;

const yesNo = (condition: string) => `CASE WHEN ${condition} THEN 1 ELSE 0 END`;

/**
 * The indicators of SPEC §6.4 as of a day, by sub-district and for the district: one set-based query
 * per indicator (the two enrollment rates share one), whatever the number of persons. Everything is
 * judged by dates on or before `asOf` (follow-ups, signing, confirmation, start of treatment, the
 * enrollment of asOf's year), so entering later-dated records leaves the figures for `asOf` as they were.
 */
@Injectable()
export class IndicatorsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /** The SQL of each indicator, by name (the benchmark runs them one by one). */
  queries(): Record<QueryName, string> {
    const type = this.db.options.type;
    return {
      // One probe per person: UQ_insurance_person_year keeps at most one enrollment per person and year.
      enrollment: `SELECT SUBSTR(h.regionCode, 1, 9) AS area, COUNT(*) AS denominator,
        SUM(${yesNo('e.enrolled = :yes')}) AS numerator,
        SUM(${yesNo('e.enrolled = :yes AND e.subsidized = :yes')}) AS subsidized
        FROM ${REGISTERED.replace('WHERE', 'LEFT JOIN insurance_enrollments e ON e.personId = p.id AND e.year = :year WHERE')}
        GROUP BY SUBSTR(h.regionCode, 1, 9)`,
      contractRate: perPerson(REGISTERED, yesNo(PRIORITY_CONTRACT), `AND ${PRIORITY_PATIENT}`),
      managedRate: perPerson(
        REGISTERED.replace('persons p', 'contracts c INNER JOIN persons p ON p.id = c.personId'),
        yesNo(`NOT (${shortOfFollowUpsSql(type, ':asOf', ':quarterAgo')})`),
        `AND c.signedOn <= :asOf AND ${LAST_DAY_SQL} >= :asOf`,
      ),
      bpControlRate: perPerson(
        REGISTERED.replace('WHERE', `${latestReading('systolic')} WHERE`),
        yesNo(bpControlledSql('f')),
      ),
      glucoseControlRate: perPerson(
        REGISTERED.replace('WHERE', `${latestReading('fastingGlucose')} WHERE`),
        yesNo(glucoseControlledSql('f')),
      ),
      treatmentRate: perPerson(
        REGISTERED.replace(
          'WHERE',
          `INNER JOIN conditions k ON k.personId = p.id INNER JOIN diseases d ON d.code = k.diseaseCode AND d.kind = 'major' WHERE`,
        ),
        treatmentStartedSql('k', ':asOf'),
        'AND COALESCE(k.confirmedOn, k.diagnosedOn) <= :asOf',
      ),
    };
  }

  /** Named parameters of the queries for `asOf` and the caller's scope. */
  parameters(asOf: string, scope: string | null): Record<string, unknown> {
    return {
      asOf,
      year: Number(asOf.slice(0, 4)),
      quarterAgo: addMonths(asOf, -3),
      scope: `${scope ?? ''}%`,
      yes: true,
    };
  }

  /** Runs one query with named parameters on the read replica when there is one. */
  async run<T>(sql: string, parameters: Record<string, unknown>): Promise<T[]> {
    const [query, values] = this.db.driver.escapeQueryWithParameters(sql, parameters);
    return this.db.query<T[]>(query, values);
  }

  async indicators(user: AuthUser, asOf = this.clock.today()): Promise<Indicators> {
    const first = `${FIRST_REGISTERED_YEAR}-01-01`;
    if (asOf < first) {
      throw new AppError(ErrorCode.Invalid, `asOf is before the register existed (${dateText(first)})`, 'asOf');
    }
    if (asOf > this.clock.today()) {
      throw new AppError(ErrorCode.Invalid, 'asOf is in the future', 'asOf');
    }
    const scope = scopePrefixOf(user);
    const params = this.parameters(asOf, scope);
    const { enrollment, ...rest } = this.queries();
    const keys = Object.keys(rest) as (keyof typeof rest)[];
    const [enrolled, ...others] = await Promise.all([
      this.run<Row & { subsidized: string | number | null }>(enrollment, params),
      ...keys.map((key) => this.run<Row>(rest[key], params)),
    ]);
    const rows: Record<IndicatorKey, Row[]> = {
      insuredRate: enrolled,
      subsidizedRate: enrolled.map((r) => ({ ...r, numerator: r.subsidized })),
      ...(Object.fromEntries(keys.map((key, i) => [key, others[i]])) as Record<keyof typeof rest, Row[]>),
    };
    const regions = await this.db
      .getRepository(Region)
      .createQueryBuilder('r')
      .where("r.level = 'subdistrict' AND r.code LIKE :scope", { scope: params.scope })
      .orderBy('r.code')
      .getMany();
    const byRegion = regions.map((r) => ({
      regionCode: r.code,
      name: r.name,
      ...this.set(rows, (row) => row.area === r.code.slice(0, 9)),
    }));
    return { asOf, district: this.set(rows, () => true), byRegion };
  }

  /** Each indicator summed over the rows `take` keeps. */
  private set(rows: Record<IndicatorKey, Row[]>, take: (row: Row) => boolean): IndicatorSet {
    return Object.fromEntries(
      INDICATOR_KEYS.map((key) => {
        const kept = rows[key].filter(take);
        const numerator = kept.reduce((n, r) => n + Number(r.numerator ?? 0), 0);
        const denominator = kept.reduce((n, r) => n + Number(r.denominator), 0);
        return [key, { numerator, denominator, value: denominator === 0 ? null : numerator / denominator }];
      }),
    ) as IndicatorSet;
  }
}
