import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { isInScope } from '../auth/region-scope.js';
import { AppError } from '../common/app-error.js';
import { RegistryError, RegistryErrorCode } from './registry.errors.js';
import { Clock } from '../common/clock.js';
import { maskIdNumber } from '../common/id-number.js';
import type { Page } from '../common/pagination.js';
import { updateVersioned } from '../common/versioned-update.js';
import type { AccessLogQuery, UpdatePersonDto } from './dto/household.dto.js';
import { IdAccess } from './id-access.entity.js';
import { Household } from './household.entity.js';
import { type PersonView, toPersonView } from './household.views.js';
import { Person } from './person.entity.js';
import { inTransaction } from '../database/transaction.js';

/** A reading of the access log, with whose number it was: name and masked number (null if the person is gone). */
export interface IdAccessView extends IdAccess {
  personName: string | null;
  idNumber: string | null;
  householdId: number | null;
}

@Injectable()
export class PersonsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  async get(user: AuthUser, id: number): Promise<PersonView> {
    return toPersonView(await this.findInScope(this.db.manager, user, id));
  }

  /** The unmasked ID number, for the roles that hold IdNumberReadFull; every reading is logged. */
  async fullIdNumber(
    user: AuthUser,
    id: number,
    address: string | null,
    reason: string | null,
  ): Promise<{ id: number; idNumber: string }> {
    const person = await this.findInScope(this.db.manager, user, id);
    await this.db.getRepository(IdAccess).insert({
      userId: user.id,
      username: user.username,
      personId: id,
      at: this.clock.now().toISOString(),
      address,
      reason,
    });
    return { id: person.id, idNumber: person.idNumber };
  }

  /** The access log, newest first (admins), each reading with whose number it was (name, number masked). */
  async accessLog(query: AccessLogQuery): Promise<Page<IdAccessView>> {
    const where = query.personId ? { personId: query.personId } : {};
    const [rows, total] = await this.db.getRepository(IdAccess).findAndCount({
      where,
      order: { id: 'DESC' },
      skip: query.offset,
      take: query.pageSize,
    });
    const persons = await this.db.getRepository(Person).find({
      select: { id: true, name: true, idNumber: true, householdId: true },
      where: { id: In([...new Set(rows.map((r) => r.personId))]) },
    });
    const byId = new Map(persons.map((p) => [p.id, p]));
    const items = rows.map((r) => {
      const person = byId.get(r.personId);
      return {
        ...r,
        personName: person?.name ?? null,
        idNumber: person ? maskIdNumber(person.idNumber) : null,
        householdId: person?.householdId ?? null,
      };
    });
    return { items, total, page: query.page, pageSize: query.pageSize };
  }

  async update(user: AuthUser, id: number, dto: UpdatePersonDto): Promise<PersonView> {
    await inTransaction(this.db, async (em) => {
      const { person, household } = await this.findWithHousehold(em, user, id);
      if (
        dto.relation === 'head' &&
        person.relation !== 'head' &&
        (await em.existsBy(Person, { householdId: person.householdId, relation: 'head' }))
      ) {
        throw new RegistryError(RegistryErrorCode.SecondHead, 'the household already has a head (户主)', 'relation');
      }
      const { version, ...changes } = dto;
      const statusChangedOn = this.statusDate(person, household, dto);
      await updateVersioned(
        em,
        Person,
        id,
        version ?? person.version,
        statusChangedOn === undefined ? changes : { ...changes, statusChangedOn },
        `person ${id}`,
      );
    });
    return this.get(user, id);
  }

  /**
   * The day of 已故 or 迁出 the update leaves: the one given (for a deceased or moved person only, not
   * in the future, not before the household's registered year), none for an active person or a new
   * status without a day; undefined when the update leaves it as it is.
   */
  private statusDate(person: Person, household: Household, dto: UpdatePersonDto): string | null | undefined {
    const status = dto.status ?? person.status;
    if (dto.statusChangedOn === undefined) {
      return dto.status !== undefined && dto.status !== person.status ? null : undefined;
    }
    const day = dto.statusChangedOn;
    if (status === 'active') {
      throw new RegistryError(
        RegistryErrorCode.StatusDateWhileActive,
        'statusChangedOn is only for a deceased or moved person',
        'statusChangedOn',
      );
    }
    if (day > this.clock.today()) {
      throw new RegistryError(
        RegistryErrorCode.StatusDateFuture,
        `statusChangedOn ${day} is in the future`,
        'statusChangedOn',
      );
    }
    if (day < `${household.registeredYear}-01-01`) {
      throw new RegistryError(
        RegistryErrorCode.StatusDateBeforeRegistration,
        `statusChangedOn ${day} is before the household's registration (registeredYear ${household.registeredYear})`,
        'statusChangedOn',
      );
    }
    return day;
  }

  /** Marks a person deceased (已故) on `on`, in the caller's transaction: a follow-up recorded their death. */
  async markDeceased(em: EntityManager, id: number, on: string): Promise<void> {
    await em
      .createQueryBuilder()
      .update(Person)
      .set({ status: 'deceased', statusChangedOn: on, version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  /** A person whose household the caller may see; anything else is "not found" (404). */
  async findInScope(em: EntityManager, user: AuthUser, id: number): Promise<Person> {
    return (await this.findWithHousehold(em, user, id)).person;
  }

  private async findWithHousehold(
    em: EntityManager,
    user: AuthUser,
    id: number,
  ): Promise<{ person: Person; household: Household }> {
    const person = await em.findOneBy(Person, { id });
    const household = person && (await em.findOneBy(Household, { id: person.householdId }));
    if (!person || !household || !isInScope(user, household.regionCode)) {
      throw AppError.notFound(`person ${id}`);
    }
    return { person, household };
  }
}
