import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import type { Role } from '../auth/roles.js';
import { isSensitive } from '../health/diagnosis-access.js';
import { Disease } from '../health/disease.entity.js';
import { Household } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';
import { Region } from '../regions/region.entity.js';
import { Item, type SubjectType } from './item.entity.js';
import type { Subject } from './item-lock.js';
import { type CatalogueName, TextRedactor } from './text-redactor.js';

export type SubjectRef = Pick<Item, 'subjectType' | 'subjectId'>;

/**
 * What a role may read of items' texts (issue #12): the TextRedactor for a role, and the items'
 * subjects (persons, households) whose names it takes out. ItemViews redacts the items it shows
 * with them; notices, evidence and exports ask here for the texts of the items they name.
 */
@Injectable()
export class ItemTexts {
  private catalogue: Promise<CatalogueName[]> | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Texts about items (notices) as the caller may read them: a function of the item's id and a
   * text, after one look-up of those items' subjects.
   */
  async textsFor(user: AuthUser, itemIds: number[]): Promise<(itemId: number, text: string) => string> {
    return (await this.textsForRoles([user.role], itemIds)).get(user.role)!;
  }

  /**
   * The same for several roles at once (the digests of an escalation batch, one per recipient): the
   * items' subjects are looked up once, for the roles that do not read every text.
   */
  async textsForRoles(
    roles: readonly Role[],
    itemIds: number[],
  ): Promise<Map<Role, (itemId: number, text: string) => string>> {
    const redactors = new Map<Role, TextRedactor>();
    for (const role of new Set(roles)) {
      redactors.set(role, await this.redactor({ role }));
    }
    const redacting = [...redactors.values()].some((r) => !r.readsAll);
    const byId = new Map<number, Subject | null>();
    if (redacting && itemIds.length > 0) {
      const items = await this.db.getRepository(Item).find({
        select: { id: true, subjectType: true, subjectId: true },
        where: { id: In([...new Set(itemIds)]) },
      });
      const subjects = await this.subjects(this.db.manager, items);
      items.forEach((i) => byId.set(i.id, subjectOf(subjects, i)));
    }
    return new Map(
      [...redactors].map(([role, redactor]) => [
        role,
        redactor.readsAll
          ? (_id: number, text: string) => text
          : (itemId: number, text: string) => redactor.text(text, byId.get(itemId) ?? null),
      ]),
    );
  }

  /** The redactor for the caller's role; the disease catalogue (fixed by migrations) is read once. */
  async redactor(user: Pick<AuthUser, 'role'>): Promise<TextRedactor> {
    this.catalogue ??= this.db
      .getRepository(Disease)
      .find({ select: { code: true, name: true } })
      .then((diseases) => diseases.map((d) => ({ name: d.name, sensitive: isSensitive(d.code) })))
      .catch((error: unknown) => {
        this.catalogue = null;
        throw error;
      });
    return new TextRedactor(user.role, await this.catalogue);
  }

  /** The person and household subjects of these items, keyed `person:1` / `household:2`: three queries at most. */
  async subjects(em: EntityManager, items: SubjectRef[]): Promise<Map<string, Subject>> {
    const idsOf = (type: SubjectType) =>
      [...new Set(items.filter((i) => i.subjectType === type).map((i) => i.subjectId!))].filter(Boolean);
    const personIds = idsOf('person');
    const householdIds = idsOf('household');
    const [persons, households, members] = await Promise.all([
      // Written out: the lists' every page asks it, and a query builder costs more than the look-up.
      personIds.length > 0
        ? em.query<{ id: number; name: string; idNumber: string; regionCode: string; regionName: string | null }[]>(
            `SELECT p.id AS id, p.name AS name, p.idNumber AS idNumber, h.regionCode AS regionCode, r.name AS regionName
             FROM persons p INNER JOIN households h ON h.id = p.householdId LEFT JOIN regions r ON r.code = h.regionCode
             WHERE p.id IN (${personIds.map(() => '?').join(', ')})`,
            personIds,
          )
        : [],
      householdIds.length > 0
        ? em
            .createQueryBuilder(Household, 'h')
            .leftJoin(Region, 'r', 'r.code = h.regionCode')
            .select(['h.id AS id', 'h.registryNo AS registryNo', 'h.regionCode AS regionCode', 'r.name AS regionName'])
            .where('h.id IN (:...householdIds)', { householdIds })
            .getRawMany<{ id: number; registryNo: string; regionCode: string; regionName: string | null }>()
        : [],
      householdIds.length > 0
        ? em.find(Person, { select: { householdId: true, name: true }, where: { householdId: In(householdIds) } })
        : [],
    ]);
    const subjects = new Map<string, Subject>();
    for (const p of persons) {
      subjects.set(`person:${p.id}`, {
        names: [p.name],
        regionCode: p.regionCode,
        regionName: p.regionName,
        label: p.name,
        idNumber: p.idNumber,
      });
    }
    for (const h of households) {
      subjects.set(`household:${h.id}`, {
        names: members.filter((m) => Number(m.householdId) === Number(h.id)).map((m) => m.name),
        regionCode: h.regionCode,
        regionName: h.regionName,
        label: h.registryNo,
        idNumber: null,
      });
    }
    return subjects;
  }
}

export function subjectOf(subjects: Map<string, Subject>, item: SubjectRef): Subject | null {
  return item.subjectType === 'person' || item.subjectType === 'household'
    ? (subjects.get(`${item.subjectType}:${item.subjectId}`) ?? null)
    : null;
}
