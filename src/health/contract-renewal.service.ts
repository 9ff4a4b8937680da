import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { addDays, addYears } from '../common/dates.js';
import { updateVersioned } from '../common/versioned-update.js';
import { inTransaction } from '../database/transaction.js';
import { PersonsService } from '../households/persons.service.js';
import { ContractDisease } from './contract-disease.entity.js';
import { Contract } from './contract.entity.js';
import { type ContractView, ContractsService } from './contracts.service.js';
import type { RenewContractDto } from './dto/health.dto.js';
import { FollowUp } from './follow-up.entity.js';
import { HealthError, HealthErrorCode } from './health.errors.js';

/**
 * 续签: a new contract with the same institution, doctor and covered diseases, signed on `signedOn`;
 * the old one ends the day before (unless it had run out by then) and links forward through the new
 * one's `renewedFromId`. One transaction; the old contract's version makes a stale page a 409 (checked
 * first, and again by the versioned update, which a concurrent renewal of the same version loses).
 */
@Injectable()
export class ContractRenewalService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly persons: PersonsService,
    private readonly contracts: ContractsService,
  ) {}

  async renew(user: AuthUser, id: number, dto: RenewContractDto): Promise<ContractView> {
    const validUntil = dto.validUntil ?? addYears(dto.signedOn, 1);
    const renewed = await inTransaction(this.db, async (em) => {
      const old = await em.findOneBy(Contract, { id });
      const person = old && (await this.persons.findInScope(em, user, old.personId).catch(() => null));
      if (!old || !person) {
        throw AppError.notFound(`contract ${id}`);
      }
      if (old.version !== dto.version) {
        throw new AppError(
          ErrorCode.VersionConflict,
          `contract ${id} was changed by someone else (expected version ${dto.version})`,
          'version',
        );
      }
      if (await em.existsBy(Contract, { renewedFromId: id })) {
        throw new HealthError(HealthErrorCode.ContractRenewed, `contract ${id} has been renewed already`);
      }
      if (person.status !== 'active') {
        throw new HealthError(HealthErrorCode.PersonInactive, `the person is ${person.status}: no renewal`);
      }
      if (old.endedOn !== null) {
        throw new HealthError(HealthErrorCode.ContractEnded, `contract ${id} ended on ${old.endedOn}`);
      }
      this.assertDates(old, dto.signedOn, validUntil);
      const lastVisit = await em.findOne(FollowUp, { where: { contractId: id }, order: { visitedOn: 'DESC' } });
      if (lastVisit && dto.signedOn <= lastVisit.visitedOn) {
        throw new HealthError(
          HealthErrorCode.RenewalBeforeFollowUp,
          `signedOn must be after the old contract's last follow-up (${lastVisit.visitedOn})`,
          'signedOn',
        );
      }
      const dayBefore = addDays(dto.signedOn, -1);
      await updateVersioned(
        em,
        Contract,
        id,
        dto.version,
        dayBefore < old.validUntil ? { endedOn: dayBefore } : {},
        `contract ${id}`,
      );
      const contract = await em.save(
        em.create(Contract, {
          personId: old.personId,
          institution: old.institution,
          doctorName: old.doctorName,
          signedOn: dto.signedOn,
          validUntil,
          requiredFollowUps: old.requiredFollowUps,
          renewedFromId: id,
        }),
      );
      const covered = await em.findBy(ContractDisease, { contractId: id });
      await em.insert(
        ContractDisease,
        covered.map((d) => ({ contractId: contract.id, diseaseCode: d.diseaseCode })),
      );
      return contract.id;
    });
    return this.contracts.get(user, renewed);
  }

  private assertDates(old: Contract, signedOn: string, validUntil: string): void {
    if (signedOn <= old.signedOn) {
      throw new HealthError(
        HealthErrorCode.RenewalNotAfterSigning,
        `signedOn must be after the old contract's signing (${old.signedOn})`,
        'signedOn',
      );
    }
    if (signedOn > this.clock.today()) {
      throw new HealthError(HealthErrorCode.SignedInFuture, 'signedOn is in the future', 'signedOn');
    }
    if (validUntil <= signedOn) {
      throw new HealthError(
        HealthErrorCode.ValidUntilNotAfterSigning,
        'validUntil must be after signedOn',
        'validUntil',
      );
    }
  }
}
