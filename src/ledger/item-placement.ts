import type { EntityManager } from 'typeorm';
import { subdistrictOf } from '../regions/region-codes.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Household } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';
import { Region } from '../regions/region.entity.js';
import type { SubjectType } from './item.entity.js';

/** The sub-district a household or person subject lives in; null for no subject or a region subject. */
export async function regionOfSubject(
  em: EntityManager,
  type: SubjectType | null,
  id: number | null,
): Promise<string | null> {
  if (type === null) {
    if (id !== null) {
      throw new AppError(ErrorCode.Invalid, 'subjectId needs a subjectType (household or person)', 'subjectType');
    }
    return null;
  }
  if (type === 'region') {
    if (id !== null) {
      throw new AppError(
        ErrorCode.Invalid,
        "a region subject is the item's regionCode; leave subjectId out",
        'subjectId',
      );
    }
    return null;
  }
  if (id === null) {
    throw new AppError(ErrorCode.Invalid, `subjectId is required for a ${type} subject`, 'subjectId');
  }
  const household =
    type === 'household'
      ? await em.findOneBy(Household, { id })
      : await em
          .createQueryBuilder(Household, 'h')
          .innerJoin(Person, 'p', 'p.householdId = h.id')
          .where('p.id = :id', { id })
          .getOne();
  if (!household) {
    throw new AppError(ErrorCode.Invalid, `${type} ${id} does not exist`, 'subjectId');
  }
  return subdistrictOf(household.regionCode);
}

/** An item's regionCode names a known sub-district. */
export async function assertSubdistrict(em: EntityManager, code: string): Promise<void> {
  if (!(await em.existsBy(Region, { code, level: 'subdistrict' }))) {
    throw new AppError(ErrorCode.Invalid, `regionCode ${code} is not a known sub-district`, 'regionCode');
  }
}

/**
 * A household or person subject lies in the item's sub-district (issue #12): otherwise the item
 * would show that sub-district's officers a resident of another one. 400 naming regionCode.
 */
export function assertSubjectWithin(
  subjectRegion: string | null,
  regionCode: string,
  type: SubjectType | null,
  id: number | null,
): void {
  if (subjectRegion && subjectRegion !== regionCode) {
    throw new AppError(
      ErrorCode.Invalid,
      `对象（${type === 'person' ? '人员' : '户'} subjectId ${id}）所在街道 ${subjectRegion} 与责任街道 regionCode ${regionCode} 不一致：整改问题只能交给对象所在的街道`,
      'regionCode',
    );
  }
}
