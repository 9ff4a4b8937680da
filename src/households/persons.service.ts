import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { isInScope } from '../auth/region-scope.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import type { Page } from '../common/pagination.js';
import { updateVersioned } from '../common/versioned-update.js';
import type { AccessLogQuery, UpdatePersonDto } from './dto/household.dto.js';
import { IdAccess } from './id-access.entity.js';
import { Household } from './household.entity.js';
import { type PersonView, toPersonView } from './household.views.js';
import { Person } from './person.entity.js';
import { inTransaction } from '../database/transaction.js';

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
  async fullIdNumber(user: AuthUser, id: number, address: string | null): Promise<{ id: number; idNumber: string }> {
    const person = await this.findInScope(this.db.manager, user, id);
    await this.db.getRepository(IdAccess).insert({
      userId: user.id,
      username: user.username,
      personId: id,
      at: this.clock.now().toISOString(),
      address,
    });
    return { id: person.id, idNumber: person.idNumber };
  }

  /** The access log, newest first (admins). */
  async accessLog(query: AccessLogQuery): Promise<Page<IdAccess>> {
    const where = query.personId ? { personId: query.personId } : {};
    const [items, total] = await this.db.getRepository(IdAccess).findAndCount({
      where,
      order: { id: 'DESC' },
      skip: query.offset,
      take: query.pageSize,
    });
    return { items, total, page: query.page, pageSize: query.pageSize };
  }

  async update(user: AuthUser, id: number, dto: UpdatePersonDto): Promise<PersonView> {
    await inTransaction(this.db, async (em) => {
      const person = await this.findInScope(em, user, id);
      if (
        dto.relation === 'head' &&
        person.relation !== 'head' &&
        (await em.existsBy(Person, { householdId: person.householdId, relation: 'head' }))
      ) {
        throw new AppError(ErrorCode.Invalid, 'the household already has a head (户主)', 'relation');
      }
      const { version, ...changes } = dto;
      await updateVersioned(em, Person, id, version ?? person.version, changes, `person ${id}`);
    });
    return this.get(user, id);
  }

  /** Marks a person deceased (已故), in the caller's transaction: a follow-up recorded their death. */
  async markDeceased(em: EntityManager, id: number): Promise<void> {
    await em
      .createQueryBuilder()
      .update(Person)
      .set({ status: 'deceased', version: () => 'version + 1' })
      .where('id = :id', { id })
      .execute();
  }

  /** A person whose household the caller may see; anything else is "not found" (404). */
  async findInScope(em: EntityManager, user: AuthUser, id: number): Promise<Person> {
    const person = await em.findOneBy(Person, { id });
    const household = person && (await em.findOneBy(Household, { id: person.householdId }));
    if (!person || !household || !isInScope(user, household.regionCode)) {
      throw AppError.notFound(`person ${id}`);
    }
    return person;
  }
}
