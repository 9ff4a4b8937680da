import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, type SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope, isInScope } from '../auth/region-scope.js';
import { AppError } from '../common/app-error.js';
import { RegistryError, RegistryErrorCode } from './registry.errors.js';
import { Clock } from '../common/clock.js';
import { updateVersioned } from '../common/versioned-update.js';
import { maskIdNumber, parseIdNumber } from '../common/id-number.js';
import type { Page } from '../common/pagination.js';
import { LIKE_ESCAPE, likeContains, likePrefix, likeSuffix } from '../common/sql.js';
import { Region } from '../regions/region.entity.js';
import { subdistrictOf } from '../regions/region-codes.js';
import type {
  CreateHouseholdDto,
  CreateMemberDto,
  ListHouseholdsQuery,
  UpdateHouseholdDto,
} from './dto/household.dto.js';
import { Household } from './household.entity.js';
import { type HouseholdRecord, type HouseholdSummary, toPersonView } from './household.views.js';
import { Person } from './person.entity.js';
import { onReplica } from '../database/read-replica.js';
import { inTransaction } from '../database/transaction.js';

const ID_NUMBER_SHAPE = /^\d{17}[\dX]$/i;
/** The last four characters of an ID number, as a caseworker reads them off a card. */
const ID_TAIL_SHAPE = /^\d{3}[\dX]$/i;

@Injectable()
export class HouseholdsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  async list(user: AuthUser, query: ListHouseholdsQuery): Promise<Page<HouseholdSummary>> {
    const qb = this.db.getRepository(Household).createQueryBuilder('h');
    applyRegionScope(qb, 'h.regionCode', user, query.regionCode);
    if (query.status) {
      qb.andWhere('h.status = :status', { status: query.status });
    }
    if (query.q) {
      this.search(qb, query.q);
    }
    const [rows, total] = await onReplica(
      this.db,
      qb.orderBy('h.registryNo', 'ASC').skip(query.offset).take(query.pageSize),
      (q) => q.getManyAndCount(),
    );
    return { items: await this.summarize(this.db.manager, rows), total, page: query.page, pageSize: query.pageSize };
  }

  /** A household and its members (the health side is added by HealthProfileService.forHousehold). */
  async get(user: AuthUser, id: number): Promise<HouseholdRecord> {
    const household = await this.findInScope(this.db.manager, user, id);
    const [[summary], members] = await Promise.all([
      this.summarize(this.db.manager, [household]),
      this.db.getRepository(Person).find({ where: { householdId: id }, order: { id: 'ASC' } }),
    ]);
    return { ...summary, members: members.map(toPersonView) };
  }

  /** A household and its members, in one transaction: all of it is written, or nothing. Answers its id. */
  async create(user: AuthUser, dto: CreateHouseholdDto): Promise<number> {
    this.assertYear(dto.registeredYear);
    const heads = dto.members.filter((m) => m.relation === 'head').length;
    if (heads !== 1) {
      throw new RegistryError(
        RegistryErrorCode.HeadCount,
        `members must contain exactly one head (户主), found ${heads}`,
        'members',
      );
    }
    const seen = new Set<string>();
    dto.members.forEach((m, i) => {
      if (seen.has(m.idNumber)) {
        throw new RegistryError(
          RegistryErrorCode.RepeatedIdNumber,
          `members.${i}.idNumber ${maskIdNumber(m.idNumber)} appears twice`,
          `members.${i}.idNumber`,
        );
      }
      seen.add(m.idNumber);
    });
    return inTransaction(this.db, async (em) => {
      await this.assertRegion(em, dto.regionCode);
      if (await em.existsBy(Household, { registryNo: dto.registryNo })) {
        throw new RegistryError(
          RegistryErrorCode.RegistryNoTaken,
          `registryNo ${dto.registryNo} is already registered`,
          'registryNo',
        );
      }
      await this.assertIdNumbersFree(
        em,
        dto.members.map((m) => m.idNumber),
        (i) => `members.${i}.idNumber`,
      );
      const household = await em.save(
        em.create(Household, {
          registryNo: dto.registryNo,
          regionCode: dto.regionCode,
          povertyCause: dto.povertyCause,
          registeredYear: dto.registeredYear,
          status: dto.status ?? 'poor',
        }),
      );
      await em.insert(
        Person,
        dto.members.map((m) => this.newPerson(household.id, m)),
      );
      return household.id;
    });
  }

  async update(user: AuthUser, id: number, dto: UpdateHouseholdDto): Promise<void> {
    if (dto.registeredYear !== undefined) {
      this.assertYear(dto.registeredYear);
    }
    await inTransaction(this.db, async (em) => {
      const household = await this.findInScope(em, user, id);
      if (dto.regionCode) {
        await this.assertRegion(em, dto.regionCode);
      }
      const { version, ...changes } = dto;
      await updateVersioned(em, Household, id, version ?? household.version, changes, `household ${id}`);
    });
  }

  async addMember(user: AuthUser, householdId: number, dto: CreateMemberDto) {
    const personId = await inTransaction(this.db, async (em) => {
      await this.findInScope(em, user, householdId);
      if (dto.relation === 'head' && (await em.existsBy(Person, { householdId, relation: 'head' }))) {
        throw new RegistryError(RegistryErrorCode.SecondHead, 'the household already has a head (户主)', 'relation');
      }
      await this.assertIdNumbersFree(em, [dto.idNumber], () => 'idNumber');
      const result = await em.insert(Person, this.newPerson(householdId, dto));
      return (result.identifiers[0] as { id: number }).id;
    });
    return toPersonView(await this.db.getRepository(Person).findOneByOrFail({ id: personId }));
  }

  /**
   * The list's `q`, taken as plain text (LIKE's % _ and the escape character are escaped): a whole ID
   * number finds its holder; anything else a 户编号 by its start or a member by part of the name, and
   * four characters that could end an ID number (1234, 123X) also a member by those last four.
   */
  private search(qb: SelectQueryBuilder<Household>, q: string): void {
    if (ID_NUMBER_SHAPE.test(q)) {
      qb.andWhere('h.id IN (SELECT p.householdId FROM persons p WHERE p.idNumber = :idNumber)', {
        idNumber: q.toUpperCase(),
      });
      return;
    }
    const byTail = ID_TAIL_SHAPE.test(q) ? ` OR p.idNumber LIKE :tail ${LIKE_ESCAPE}` : '';
    qb.andWhere(
      `(h.registryNo LIKE :prefix ${LIKE_ESCAPE} OR h.id IN (SELECT p.householdId FROM persons p WHERE p.name LIKE :contains ${LIKE_ESCAPE}${byTail}))`,
      { prefix: likePrefix(q), contains: likeContains(q), tail: likeSuffix(q.toUpperCase()) },
    );
  }

  /** Loads a household the caller may see; another sub-district's is "not found" (404), never "forbidden". */
  async findInScope(em: EntityManager, user: AuthUser, id: number): Promise<Household> {
    const household = await em.findOneBy(Household, { id });
    if (!household || !isInScope(user, household.regionCode)) {
      throw AppError.notFound(`household ${id}`);
    }
    return household;
  }

  private newPerson(householdId: number, m: CreateMemberDto): Partial<Person> {
    const { sex, birthDate } = parseIdNumber(m.idNumber);
    return {
      householdId,
      idNumber: m.idNumber,
      name: m.name,
      relation: m.relation,
      status: m.status ?? 'active',
      sex,
      birthDate,
    };
  }

  private async assertRegion(em: EntityManager, code: string): Promise<void> {
    const region = await em.findOneBy(Region, { code });
    if (!region || region.level === 'district') {
      throw new RegistryError(
        RegistryErrorCode.UnknownRegion,
        `regionCode ${code} is not a known village or sub-district`,
        'regionCode',
      );
    }
  }

  private assertYear(year: number): void {
    if (year > this.clock.year()) {
      throw new RegistryError(
        RegistryErrorCode.FutureYear,
        `registeredYear ${year} is in the future`,
        'registeredYear',
      );
    }
  }

  /** Refuses numbers already registered, naming the field of the first one (`fieldOf` its index among `idNumbers`). */
  private async assertIdNumbersFree(
    em: EntityManager,
    idNumbers: string[],
    fieldOf: (index: number) => string,
  ): Promise<void> {
    const taken = await em.find(Person, { select: { idNumber: true }, where: { idNumber: In(idNumbers) } });
    if (taken.length > 0) {
      const first = idNumbers.findIndex((n) => taken.some((p) => p.idNumber === n));
      throw new RegistryError(
        RegistryErrorCode.IdNumberTaken,
        `idNumber ${taken.map((p) => maskIdNumber(p.idNumber)).join(', ')} is already registered`,
        fieldOf(first),
      );
    }
  }

  /** Region names, heads and member counts for a page of households: three queries, whatever the page size. */
  private async summarize(em: EntityManager, rows: Household[]): Promise<HouseholdSummary[]> {
    if (rows.length === 0) {
      return [];
    }
    const ids = rows.map((h) => h.id);
    const [regions, counts, heads] = await Promise.all([
      em.find(Region, {
        where: { code: In([...new Set(rows.flatMap((h) => [h.regionCode, subdistrictOf(h.regionCode)]))]) },
      }),
      em
        .createQueryBuilder(Person, 'p')
        .select('p.householdId', 'householdId')
        .addSelect('COUNT(*)', 'n')
        .where('p.householdId IN (:...ids)', { ids })
        .groupBy('p.householdId')
        .getRawMany<{ householdId: number; n: string | number }>(),
      em.find(Person, { select: { householdId: true, name: true }, where: { householdId: In(ids), relation: 'head' } }),
    ]);
    const regionName = new Map(regions.map((r) => [r.code, r.name]));
    const count = new Map(counts.map((c) => [Number(c.householdId), Number(c.n)]));
    const headName = new Map(heads.map((p) => [p.householdId, p.name]));
    return rows.map((h) => ({
      id: h.id,
      registryNo: h.registryNo,
      regionCode: h.regionCode,
      regionName: regionName.get(h.regionCode) ?? null,
      subdistrictCode: subdistrictOf(h.regionCode),
      subdistrictName: regionName.get(subdistrictOf(h.regionCode)) ?? null,
      povertyCause: h.povertyCause,
      registeredYear: h.registeredYear,
      status: h.status,
      version: h.version,
      headName: headName.get(h.id) ?? null,
      memberCount: count.get(h.id) ?? 0,
    }));
  }
}
