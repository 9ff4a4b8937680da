import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope } from '../auth/region-scope.js';
import { AppError } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { addMonths, addYears } from '../common/dates.js';
import type { Page } from '../common/pagination.js';
import { daysBetweenSql } from '../common/sql.js';
import { Household } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';
import { PersonsService } from '../households/persons.service.js';
import { Condition } from './condition.entity.js';
import { ContractDisease } from './contract-disease.entity.js';
import { type ContractStatus, contractStatus, followUpsDue, lastDayOf } from './contract-status.js';
import { countsAsFollowUp, followUpControlled, followUpOverdue, nextDueOn } from './follow-up-rules.js';
import { Contract } from './contract.entity.js';
import { type DiagnosisAccess, diagnosisAccess, shownDisease } from './diagnosis-access.js';
import { Disease } from './disease.entity.js';
import type { CreateContractDto, ListContractsQuery } from './dto/health.dto.js';
import { FollowUp } from './follow-up.entity.js';
import { HealthError, HealthErrorCode } from './health.errors.js';
import { inTransaction } from '../database/transaction.js';

/** lastDayOf() in SQL for the contract `c` (endedOn is never after validUntil). */
export const LAST_DAY_SQL = 'COALESCE(c.endedOn, c.validUntil)';
/** countsAsFollowUp() in SQL for the follow-up `f`. */
export const COUNTS_SQL = "(f.result IS NULL OR f.result NOT IN ('unreachable', 'away'))";

/**
 * contractStatus()'s `noncompliant` test in SQL for the contract `c` in force on `today` (a column
 * or :param; `quarterAgo` is today minus three months): signed more than a quarter ago with fewer
 * follow-ups that count, on or before today, than pro rata. Used by the status filter, the gap check
 * and the indicators (规范管理率).
 */
export function shortOfFollowUpsSql(dbType: string, today: string, quarterAgo: string): string {
  const visits = `(SELECT COUNT(*) FROM follow_ups f WHERE f.contractId = c.id AND f.visitedOn <= ${today} AND ${COUNTS_SQL})`;
  return `c.signedOn < ${quarterAgo} AND (${visits} + 1) * ${daysBetweenSql(dbType, 'c.signedOn', 'c.validUntil')} <= c.requiredFollowUps * ${daysBetweenSql(dbType, 'c.signedOn', today)}`;
}

export type FollowUpView = Pick<
  FollowUp,
  'id' | 'visitedOn' | 'kind' | 'result' | 'systolic' | 'diastolic' | 'fastingGlucose' | 'notes'
> & {
  /** The readings controlled (< 140/90, glucose < 7.0); null without a reading. */
  controlled: boolean | null;
};

export interface ContractView {
  id: number;
  personId: number;
  personName: string;
  regionCode: string;
  institution: string;
  doctorName: string;
  signedOn: string;
  validUntil: string;
  diseaseCodes: string[];
  requiredFollowUps: number;
  /** Follow-ups due pro rata by today, or over the whole term once the contract has expired. */
  followUpsDue: number;
  /** Follow-ups made within the term up to today (the same span as followUpsDue). */
  followUpsDone: number;
  followUps: FollowUpView[];
  /** The day the contract ended early (the person died, or it was renewed before its end), else null. */
  endedOn: string | null;
  /** The contract this one renews (续签), and the one that renewed it; null when none. */
  renewedFromId: number | null;
  renewedById: number | null;
  /** A renewal names it (stale: 409). */
  version: number;
  /** The next follow-up due per covered disease (catalogue interval; 14 days after an uncontrolled reading). */
  nextDue: { diseaseCode: string; dueOn: string | null; overdue: boolean }[];
  status: ContractStatus;
}

@Injectable()
export class ContractsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly persons: PersonsService,
  ) {}

  /**
   * Keeps the contracts (alias `c`) that have `status` on `today`: contractStatus() as SQL, so lists
   * and the gap checks filter in the database. `visits` counts follow-ups on or before `today`.
   */
  whereStatus<T extends ObjectLiteral>(
    qb: SelectQueryBuilder<T>,
    status: ContractStatus,
    today: string,
  ): SelectQueryBuilder<T> {
    qb.setParameters({ statusToday: today, statusQuarterAgo: addMonths(today, -3) });
    if (status === 'expired') {
      return qb.andWhere(`${LAST_DAY_SQL} < :statusToday`);
    }
    const short = shortOfFollowUpsSql(this.db.options.type, ':statusToday', ':statusQuarterAgo');
    qb.andWhere(`${LAST_DAY_SQL} >= :statusToday`);
    return status === 'noncompliant' ? qb.andWhere(`(${short})`) : qb.andWhere(`NOT (${short})`);
  }

  async list(user: AuthUser, query: ListContractsQuery): Promise<Page<ContractView>> {
    const qb = this.db
      .getRepository(Contract)
      .createQueryBuilder('c')
      .innerJoin(Person, 'p', 'p.id = c.personId')
      .innerJoin(Household, 'h', 'h.id = p.householdId');
    applyRegionScope(qb, 'h.regionCode', user, query.regionCode);
    if (query.personId) {
      qb.andWhere('c.personId = :personId', { personId: query.personId });
    }
    if (query.status) {
      this.whereStatus(qb, query.status, this.clock.today());
    }
    const [rows, total] = await qb.orderBy('c.id', 'ASC').skip(query.offset).take(query.pageSize).getManyAndCount();
    return {
      items: await this.views(rows, diagnosisAccess(user.role)),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }

  async create(user: AuthUser, dto: CreateContractDto): Promise<ContractView> {
    const today = this.clock.today();
    const validUntil = dto.validUntil ?? addYears(dto.signedOn, 1);
    if (dto.signedOn > today) {
      throw new HealthError(HealthErrorCode.SignedInFuture, 'signedOn is in the future', 'signedOn');
    }
    if (validUntil <= dto.signedOn) {
      throw new HealthError(
        HealthErrorCode.ValidUntilNotAfterSigning,
        'validUntil must be after signedOn',
        'validUntil',
      );
    }
    const codes = [...new Set(dto.diseaseCodes)];
    const id = await inTransaction(this.db, async (em) => {
      await this.persons.findInScope(em, user, dto.personId).catch(() => {
        throw new HealthError(
          HealthErrorCode.PersonUnknown,
          `personId ${dto.personId} is not a known person`,
          'personId',
        );
      });
      const diseases = await em.findBy(Disease, { code: In(codes) });
      const unknown = codes.filter((c) => !diseases.some((d) => d.code === c && d.kind === 'chronic'));
      if (unknown.length > 0) {
        throw new HealthError(
          HealthErrorCode.NotChronic,
          `diseaseCodes ${unknown.join(', ')} are not chronic diseases of the catalogue`,
          'diseaseCodes',
        );
      }
      const conditions = await em.findBy(Condition, { personId: dto.personId, diseaseCode: In(codes) });
      const missing = codes.filter((c) => !conditions.some((k) => k.diseaseCode === c));
      if (missing.length > 0) {
        throw new HealthError(
          HealthErrorCode.ConditionMissing,
          `the person has no recorded condition ${missing.join(', ')} to contract for`,
          'diseaseCodes',
        );
      }
      const contract = await em.save(
        em.create(Contract, {
          personId: dto.personId,
          institution: dto.institution,
          doctorName: dto.doctorName,
          signedOn: dto.signedOn,
          validUntil,
          requiredFollowUps: Math.max(...diseases.map((d) => d.followUpsPerYear ?? 0)),
        }),
      );
      await em.insert(
        ContractDisease,
        codes.map((diseaseCode) => ({ contractId: contract.id, diseaseCode })),
      );
      return contract.id;
    });
    return this.get(user, id);
  }

  async get(user: AuthUser, id: number): Promise<ContractView> {
    const [view] = await this.views([await this.findInScope(user, id)], diagnosisAccess(user.role));
    return view;
  }

  /** Contracts of these persons with their diseases, follow-ups and status (for the household profile). */
  async forPersons(personIds: number[], access: DiagnosisAccess): Promise<ContractView[]> {
    if (personIds.length === 0) {
      return [];
    }
    const rows = await this.db
      .getRepository(Contract)
      .find({ where: { personId: In(personIds) }, order: { signedOn: 'ASC' } });
    return this.views(rows, access);
  }

  private async findInScope(user: AuthUser, id: number): Promise<Contract> {
    const contract = await this.db.getRepository(Contract).findOneBy({ id });
    if (!contract) {
      throw AppError.notFound(`contract ${id}`);
    }
    await this.persons.findInScope(this.db.manager, user, contract.personId).catch(() => {
      throw AppError.notFound(`contract ${id}`);
    });
    return contract;
  }

  /**
   * Diseases, follow-ups, persons, renewals and status for a set of contracts: six queries, whatever their
   * number. A sensitive disease reads `sensitive` to a role that does not treat it.
   */
  private async views(rows: Contract[], access: DiagnosisAccess): Promise<ContractView[]> {
    if (rows.length === 0) {
      return [];
    }
    const ids = rows.map((c) => c.id);
    const [covered, visits, persons, diseases, renewals] = await Promise.all([
      this.db.getRepository(ContractDisease).findBy({ contractId: In(ids) }),
      this.db.getRepository(FollowUp).find({ where: { contractId: In(ids) }, order: { visitedOn: 'ASC' } }),
      this.db
        .getRepository(Person)
        .createQueryBuilder('p')
        .innerJoin(Household, 'h', 'h.id = p.householdId')
        .select(['p.id AS id', 'p.name AS name', 'h.regionCode AS regionCode'])
        .where('p.id IN (:...ids)', { ids: [...new Set(rows.map((c) => c.personId))] })
        .getRawMany<{ id: number; name: string; regionCode: string }>(),
      this.db.getRepository(Disease).find(),
      this.db
        .getRepository(Contract)
        .find({ select: { id: true, renewedFromId: true }, where: { renewedFromId: In(ids) } }),
    ]);
    const renewedBy = new Map(renewals.map((r) => [r.renewedFromId, r.id]));
    const disease = new Map(diseases.map((d) => [d.code, d]));
    const shownCode = (code: string) => (disease.has(code) ? shownDisease(disease.get(code)!, access).code : code);
    const person = new Map(persons.map((p) => [Number(p.id), p]));
    const today = this.clock.today();
    return rows.map((c) => {
      const followUps = visits
        .filter((v) => v.contractId === c.id)
        .map(({ id, visitedOn, kind, result, systolic, diastolic, fastingGlucose, notes }) => ({
          id,
          visitedOn,
          kind,
          result,
          systolic,
          diastolic,
          fastingGlucose,
          notes,
          controlled: followUpControlled({ systolic, diastolic, fastingGlucose }),
        }));
      const counted = followUps.filter((v) => countsAsFollowUp(v.result));
      const codes = covered.filter((d) => d.contractId === c.id).map((d) => d.diseaseCode);
      const lastDay = lastDayOf(c);
      return {
        id: c.id,
        personId: c.personId,
        personName: person.get(c.personId)?.name ?? '',
        regionCode: person.get(c.personId)?.regionCode ?? '',
        institution: c.institution,
        doctorName: c.doctorName,
        signedOn: c.signedOn,
        validUntil: c.validUntil,
        diseaseCodes: codes.map(shownCode),
        requiredFollowUps: c.requiredFollowUps,
        followUpsDue: followUpsDue(c, today),
        followUpsDone: counted.filter(
          (v) => v.visitedOn >= c.signedOn && v.visitedOn <= (today < lastDay ? today : lastDay),
        ).length,
        followUps,
        endedOn: c.endedOn,
        renewedFromId: c.renewedFromId,
        renewedById: renewedBy.get(c.id) ?? null,
        version: c.version,
        nextDue: codes.map((code) => {
          const dueOn =
            today > lastDay
              ? null
              : nextDueOn(disease.get(code) ?? { code, followUpIntervalDays: null }, c.signedOn, followUps);
          return { diseaseCode: shownCode(code), dueOn, overdue: dueOn !== null && followUpOverdue(dueOn, today) };
        }),
        status: contractStatus(c, counted.filter((v) => v.visitedOn <= today).length, today),
      };
    });
  }
}
