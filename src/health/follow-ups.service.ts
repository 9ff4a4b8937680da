import { Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { PersonsService } from '../households/persons.service.js';
import { ContractDisease } from './contract-disease.entity.js';
import { lastDayOf } from './contract-status.js';
import { Contract } from './contract.entity.js';
import type { CreateFollowUpDto } from './dto/health.dto.js';
import { DIABETES, HYPERTENSION } from './follow-up-rules.js';
import { FollowUp } from './follow-up.entity.js';
import { HealthError, HealthErrorCode } from './health.errors.js';

/** What recording a follow-up did: `died` when the person died, which ended their contracts. */
export interface RecordedFollowUp {
  contractId: number;
  personId: number;
  visitedOn: string;
  died: boolean;
}

/**
 * 随访登记: checks a follow-up against its contract (dates, readings for the diseases it covers) and
 * records it in the caller's transaction. `died` ends every contract of the person in force that day
 * and marks the person deceased.
 */
@Injectable()
export class FollowUpsService {
  constructor(
    private readonly clock: Clock,
    private readonly persons: PersonsService,
  ) {}

  async record(
    em: EntityManager,
    user: AuthUser,
    contractId: number,
    dto: CreateFollowUpDto,
  ): Promise<RecordedFollowUp> {
    const contract = await em.findOneBy(Contract, { id: contractId });
    if (!contract) {
      throw AppError.notFound(`contract ${contractId}`);
    }
    await this.persons.findInScope(em, user, contract.personId).catch(() => {
      throw AppError.notFound(`contract ${contractId}`);
    });
    this.assertDate(contract, dto.visitedOn);
    const result = dto.result ?? 'visited';
    const covered = (await em.findBy(ContractDisease, { contractId })).map((d) => d.diseaseCode);
    this.assertReadings(dto, result, covered);
    await em.insert(FollowUp, {
      contractId,
      visitedOn: dto.visitedOn,
      kind: dto.kind,
      result,
      systolic: dto.systolic ?? null,
      diastolic: dto.diastolic ?? null,
      fastingGlucose: dto.fastingGlucose ?? null,
      notes: dto.notes ?? null,
    });
    if (result === 'died') {
      await em
        .createQueryBuilder()
        .update(Contract)
        .set({ endedOn: dto.visitedOn })
        .where('personId = :personId AND signedOn <= :day AND validUntil >= :day AND endedOn IS NULL', {
          personId: contract.personId,
          day: dto.visitedOn,
        })
        .execute();
      await this.persons.markDeceased(em, contract.personId, dto.visitedOn);
    }
    return { contractId, personId: contract.personId, visitedOn: dto.visitedOn, died: result === 'died' };
  }

  private assertDate(contract: Contract, visitedOn: string): void {
    if (visitedOn < contract.signedOn) {
      throw new HealthError(
        HealthErrorCode.VisitBeforeSigning,
        `visitedOn is before the contract was signed (${contract.signedOn})`,
        'visitedOn',
      );
    }
    if (visitedOn > this.clock.today()) {
      throw new HealthError(HealthErrorCode.VisitInFuture, 'visitedOn is in the future', 'visitedOn');
    }
    if (visitedOn > lastDayOf(contract)) {
      throw new HealthError(
        HealthErrorCode.VisitAfterContract,
        `visitedOn is after the contract expired (${lastDayOf(contract)})`,
        'visitedOn',
      );
    }
  }

  /** Readings come from a visit, for a disease the contract covers; blood pressure as a pair. */
  private assertReadings(dto: CreateFollowUpDto, result: string, covered: string[]): void {
    const bp = dto.systolic !== undefined || dto.diastolic !== undefined;
    const glucose = dto.fastingGlucose !== undefined;
    if ((bp || glucose) && result !== 'visited') {
      throw new HealthError(
        HealthErrorCode.ReadingWithoutVisit,
        'readings are taken on a visit (result visited)',
        bp ? 'systolic' : 'fastingGlucose',
      );
    }
    if (bp) {
      if (!covered.includes(HYPERTENSION)) {
        throw new HealthError(
          HealthErrorCode.BloodPressureNotCovered,
          'blood pressure is recorded for a contract covering hypertension',
          'systolic',
        );
      }
      if (dto.systolic === undefined || dto.diastolic === undefined) {
        const missing = dto.systolic === undefined ? 'systolic' : 'diastolic';
        throw new HealthError(
          HealthErrorCode.BloodPressureHalf,
          `${missing} is missing: blood pressure is a pair`,
          missing,
        );
      }
      if (dto.diastolic >= dto.systolic) {
        throw new HealthError(
          HealthErrorCode.DiastolicNotBelowSystolic,
          'diastolic must be below systolic',
          'diastolic',
        );
      }
    }
    if (glucose && !covered.includes(DIABETES)) {
      throw new HealthError(
        HealthErrorCode.GlucoseNotCovered,
        'fasting glucose is recorded for a contract covering type-2 diabetes',
        'fastingGlucose',
      );
    }
  }
}
