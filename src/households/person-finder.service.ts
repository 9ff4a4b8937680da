import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, type SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope } from '../auth/region-scope.js';
import { maskIdNumber, normalizeIdNumber } from '../common/id-number.js';
import { chunk, LIKE_ESCAPE, likeContains } from '../common/sql.js';
import { Household } from './household.entity.js';
import { Person } from './person.entity.js';

/** A person as a subject picker shows them: the ID number masked, the household's registry number and region. */
export interface PersonCandidate {
  id: number;
  name: string;
  idNumberMasked: string;
  householdId: number;
  registryNo: string;
  /** The household's region (a village or sub-district code). */
  regionCode: string;
}

/** A person found by their full ID number (a batch of findings names its subjects so). */
export interface PersonByIdNumber {
  id: number;
  /** The household's region (a village or sub-district code). */
  regionCode: string;
}

const ID_NUMBER_SHAPE = /^\d{17}[\dX]$/;
const CANDIDATES = 20;
const IDS_PER_QUERY = 1000;

/** Finding persons to name as an item's subject: by name or full ID number within the caller's scope, or many by ID number. */
@Injectable()
export class PersonFinder {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Up to 20 persons in the caller's scope whose name contains `text`, or whose ID number is `text` (18 characters). */
  async search(user: AuthUser, text: string): Promise<PersonCandidate[]> {
    const q = normalizeIdNumber(text);
    if (q === '') {
      return [];
    }
    return this.candidates(user, (qb) =>
      ID_NUMBER_SHAPE.test(q)
        ? qb.where('p.idNumber = :q', { q })
        : qb.where(`p.name LIKE :name ${LIKE_ESCAPE}`, { name: likeContains(text.trim()) }),
    );
  }

  /** One person as a candidate, when they lie in the caller's scope (a form that names its chosen subject again). */
  async candidate(user: AuthUser, id: number): Promise<PersonCandidate | null> {
    const [found] = await this.candidates(user, (qb) => qb.where('p.id = :id', { id }));
    return found ?? null;
  }

  private async candidates(
    user: AuthUser,
    where: (qb: SelectQueryBuilder<Person>) => SelectQueryBuilder<Person>,
  ): Promise<PersonCandidate[]> {
    const qb = where(
      this.db
        .getRepository(Person)
        .createQueryBuilder('p')
        .innerJoin(Household, 'h', 'h.id = p.householdId')
        .select(['p.id AS id', 'p.name AS name', 'p.idNumber AS idNumber', 'p.householdId AS householdId'])
        .addSelect(['h.registryNo AS registryNo', 'h.regionCode AS regionCode']),
    );
    applyRegionScope(qb, 'h.regionCode', user);
    const rows = await qb.orderBy('p.name', 'ASC').addOrderBy('p.id', 'ASC').limit(CANDIDATES).getRawMany<{
      id: number | string;
      name: string;
      idNumber: string;
      householdId: number | string;
      registryNo: string;
      regionCode: string;
    }>();
    return rows.map((r) => ({
      id: Number(r.id),
      name: r.name,
      idNumberMasked: maskIdNumber(r.idNumber),
      householdId: Number(r.householdId),
      registryNo: r.registryNo,
      regionCode: r.regionCode,
    }));
  }

  /** The persons with these ID numbers (any region), by ID number. */
  async byIdNumbers(idNumbers: readonly string[]): Promise<Map<string, PersonByIdNumber>> {
    const found = new Map<string, PersonByIdNumber>();
    for (const part of chunk([...new Set(idNumbers)], IDS_PER_QUERY)) {
      const rows = await this.db
        .getRepository(Person)
        .createQueryBuilder('p')
        .innerJoin(Household, 'h', 'h.id = p.householdId')
        .select(['p.id AS id', 'p.idNumber AS idNumber', 'h.regionCode AS regionCode'])
        .where({ idNumber: In(part) })
        .getRawMany<{ id: number | string; idNumber: string; regionCode: string }>();
      rows.forEach((r) => found.set(r.idNumber, { id: Number(r.id), regionCode: r.regionCode }));
    }
    return found;
  }
}
