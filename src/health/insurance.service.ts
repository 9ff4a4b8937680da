import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { PersonsService } from '../households/persons.service.js';
import type { PutInsuranceDto } from './dto/health.dto.js';
import { InsuranceEnrollment } from './insurance-enrollment.entity.js';
import { inTransaction } from '../database/transaction.js';
import { FIRST_INSURANCE_YEAR } from '../common/programme-years.js';

export const DEFAULT_SCHEME = '城乡居民基本医疗保险';

export type EnrollmentView = Pick<InsuranceEnrollment, 'personId' | 'year' | 'scheme' | 'enrolled' | 'subsidized'>;

export function toEnrollmentView(e: InsuranceEnrollment): EnrollmentView {
  return { personId: e.personId, year: e.year, scheme: e.scheme, enrolled: e.enrolled, subsidized: e.subsidized };
}

@Injectable()
export class InsuranceService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly persons: PersonsService,
  ) {}

  /** PUT semantics: the person's enrollment for the year becomes exactly this. */
  async put(user: AuthUser, personId: number, year: number, dto: PutInsuranceDto): Promise<EnrollmentView> {
    const lastYear = this.clock.year() + 1;
    if (!Number.isInteger(year) || year < FIRST_INSURANCE_YEAR || year > lastYear) {
      throw new AppError(ErrorCode.Invalid, `year must be between ${FIRST_INSURANCE_YEAR} and ${lastYear}`, 'year');
    }
    if (dto.subsidized && !dto.enrolled) {
      throw new AppError(ErrorCode.Invalid, 'subsidized enrollment needs enrolled = true', 'subsidized');
    }
    return inTransaction(this.db, async (em) => {
      await this.persons.findInScope(em, user, personId);
      const values = {
        personId,
        year,
        scheme: dto.scheme ?? DEFAULT_SCHEME,
        enrolled: dto.enrolled,
        subsidized: dto.subsidized ?? false,
        updatedAt: this.clock.now(),
      };
      await em
        .createQueryBuilder()
        .insert()
        .into(InsuranceEnrollment)
        .values(values)
        .orUpdate(['scheme', 'enrolled', 'subsidized', 'updatedAt'], ['personId', 'year'])
        .execute();
      return toEnrollmentView(await em.findOneByOrFail(InsuranceEnrollment, { personId, year }));
    });
  }
}
