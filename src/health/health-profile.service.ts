import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import type { HouseholdRecord, PersonView } from '../households/household.views.js';
import { HouseholdsService } from '../households/households.service.js';
import { Condition } from './condition.entity.js';
import { type ConditionView, toConditionView } from './conditions.service.js';
import { type ContractView, ContractsService } from './contracts.service.js';
import { type DiagnosisAccess, diagnosisAccess } from './diagnosis-access.js';
import { Disease } from './disease.entity.js';
import { InsuranceEnrollment } from './insurance-enrollment.entity.js';
import { type EnrollmentView, toEnrollmentView } from './insurance.service.js';

export interface HealthProfile {
  conditions: ConditionView[];
  contracts: ContractView[];
  insurance: EnrollmentView[];
}

/** The profile a caseworker opens: each member with conditions, contracts and enrollment. */
export interface HouseholdView extends Omit<HouseholdRecord, 'members'> {
  members: (PersonView & HealthProfile)[];
}

/** Each member's conditions, contracts and enrollment, for the household profile: a fixed number of queries. */
@Injectable()
export class HealthProfileService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly contracts: ContractsService,
    private readonly households: HouseholdsService,
  ) {}

  /** A household's profile as the caller may read it (404 outside their scope). */
  async forHousehold(user: AuthUser, id: number): Promise<HouseholdView> {
    const household = await this.households.get(user, id);
    const health = await this.forPersons(
      household.members.map((m) => m.id),
      diagnosisAccess(user.role),
    );
    return { ...household, members: household.members.map((m) => ({ ...m, ...health.get(m.id)! })) };
  }

  /** The profiles as `access` may read them (sensitive diagnoses as 敏感病种 to a role that does not treat them). */
  async forPersons(personIds: number[], access: DiagnosisAccess): Promise<Map<number, HealthProfile>> {
    const profiles = new Map<number, HealthProfile>(
      personIds.map((id) => [id, { conditions: [], contracts: [], insurance: [] }]),
    );
    if (personIds.length === 0) {
      return profiles;
    }
    const [conditions, diseases, contracts, enrollments] = await Promise.all([
      this.db.getRepository(Condition).find({ where: { personId: In(personIds) }, order: { id: 'ASC' } }),
      this.db.getRepository(Disease).find(),
      this.contracts.forPersons(personIds, access),
      this.db.getRepository(InsuranceEnrollment).find({ where: { personId: In(personIds) }, order: { year: 'DESC' } }),
    ]);
    const disease = new Map(diseases.map((d) => [d.code, d]));
    for (const c of conditions) {
      profiles.get(c.personId)?.conditions.push(toConditionView(c, disease.get(c.diseaseCode)!, access));
    }
    for (const c of contracts) {
      profiles.get(c.personId)?.contracts.push(c);
    }
    for (const e of enrollments) {
      profiles.get(e.personId)?.insurance.push(toEnrollmentView(e));
    }
    return profiles;
  }
}
