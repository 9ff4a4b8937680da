import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { updateVersioned } from '../common/versioned-update.js';
import { PersonsService } from '../households/persons.service.js';
import { Condition, type TreatmentCategory } from './condition.entity.js';
import { type DiagnosisAccess, diagnosisAccess, shownDisease } from './diagnosis-access.js';
import { Disease, type DiseaseKind } from './disease.entity.js';
import { HealthError, HealthErrorCode } from './health.errors.js';
import type { CreateConditionDto, UpdateConditionDto } from './dto/health.dto.js';
import { inTransaction } from '../database/transaction.js';

/** 三个一批: which catalogue kinds a treatment category applies to. */
const CATEGORY_KINDS: Record<TreatmentCategory, DiseaseKind[]> = {
  concentrated: ['major'],
  contracted: ['chronic'],
  safety_net: ['major', 'chronic'],
};

/** The fields of a condition that describe its treatment, checked together. */
type Treatment = Pick<
  Condition,
  'diagnosedOn' | 'treatmentStatus' | 'confirmedOn' | 'hospital' | 'treatmentStartedOn' | 'declineReason'
>;

export interface ConditionView {
  id: number;
  personId: number;
  diseaseCode: string;
  diseaseName: string;
  kind: DiseaseKind;
  diagnosedOn: string;
  treatmentCategory: TreatmentCategory;
  treatmentStatus: Condition['treatmentStatus'];
  confirmedOn: string | null;
  hospital: string | null;
  treatmentStartedOn: string | null;
  declineReason: string | null;
  version: number;
}

/** A condition as `access` may see it: a sensitive diagnosis reads 敏感病种 (code `sensitive`) to a role that does not treat it. */
export function toConditionView(c: Condition, disease: Disease, access: DiagnosisAccess): ConditionView {
  const shown = shownDisease(disease, access);
  return {
    id: c.id,
    personId: c.personId,
    diseaseCode: shown.code,
    diseaseName: shown.name,
    kind: disease.kind,
    diagnosedOn: c.diagnosedOn,
    treatmentCategory: c.treatmentCategory,
    treatmentStatus: c.treatmentStatus,
    confirmedOn: c.confirmedOn,
    hospital: c.hospital,
    treatmentStartedOn: c.treatmentStartedOn,
    declineReason: c.declineReason,
    version: c.version,
  };
}

@Injectable()
export class ConditionsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly persons: PersonsService,
  ) {}

  diseases(): Promise<Disease[]> {
    return this.db.getRepository(Disease).find({ order: { kind: 'ASC', code: 'ASC' } });
  }

  async list(user: AuthUser, personId: number): Promise<ConditionView[]> {
    await this.persons.findInScope(this.db.manager, user, personId);
    const rows = await this.db.getRepository(Condition).find({ where: { personId }, order: { id: 'ASC' } });
    const diseases = new Map((await this.diseases()).map((d) => [d.code, d]));
    const access = diagnosisAccess(user.role);
    return rows.map((c) => toConditionView(c, diseases.get(c.diseaseCode)!, access));
  }

  async add(user: AuthUser, personId: number, dto: CreateConditionDto): Promise<ConditionView> {
    return inTransaction(this.db, async (em) => {
      const person = await this.persons.findInScope(em, user, personId);
      const disease = await this.disease(em, dto.diseaseCode);
      this.assertCategory(dto.treatmentCategory, disease);
      this.assertDiagnosedOn(dto.diagnosedOn, person.birthDate);
      if (await em.existsBy(Condition, { personId, diseaseCode: disease.code })) {
        throw new HealthError(
          HealthErrorCode.ConditionExists,
          `the person already has ${disease.name} recorded`,
          'diseaseCode',
        );
      }
      const treatment = this.treatment(disease, {
        diagnosedOn: dto.diagnosedOn,
        treatmentStatus: dto.treatmentStatus ?? 'in_treatment',
        confirmedOn: dto.confirmedOn ?? null,
        hospital: dto.hospital ?? null,
        treatmentStartedOn: dto.treatmentStartedOn ?? null,
        declineReason: dto.declineReason ?? null,
      });
      const condition = await em.save(
        em.create(Condition, {
          personId,
          diseaseCode: disease.code,
          treatmentCategory: dto.treatmentCategory,
          ...treatment,
        }),
      );
      return toConditionView(condition, disease, diagnosisAccess(user.role));
    });
  }

  async update(user: AuthUser, id: number, dto: UpdateConditionDto): Promise<ConditionView> {
    return inTransaction(this.db, async (em) => {
      const condition = await em.findOneBy(Condition, { id });
      if (!condition) {
        throw AppError.notFound(`condition ${id}`);
      }
      const person = await this.persons.findInScope(em, user, condition.personId).catch(() => {
        throw AppError.notFound(`condition ${id}`);
      });
      const disease = await this.disease(em, condition.diseaseCode);
      if (dto.treatmentCategory) {
        this.assertCategory(dto.treatmentCategory, disease);
      }
      if (dto.diagnosedOn) {
        this.assertDiagnosedOn(dto.diagnosedOn, person.birthDate);
      }
      const { version, treatmentCategory, ...rest } = dto;
      const changes = {
        ...(treatmentCategory ? { treatmentCategory } : {}),
        ...this.treatment(
          disease,
          {
            diagnosedOn: rest.diagnosedOn ?? condition.diagnosedOn,
            treatmentStatus: rest.treatmentStatus ?? condition.treatmentStatus,
            confirmedOn: rest.confirmedOn ?? condition.confirmedOn,
            hospital: rest.hospital ?? condition.hospital,
            treatmentStartedOn: rest.treatmentStartedOn ?? condition.treatmentStartedOn,
            declineReason: rest.declineReason ?? (rest.treatmentStatus ? null : condition.declineReason),
          },
          rest.treatmentStatus !== undefined && rest.treatmentStatus !== condition.treatmentStatus,
        ),
      };
      await updateVersioned(em, Condition, id, version ?? condition.version, changes, `condition ${id}`);
      return toConditionView(await em.findOneByOrFail(Condition, { id }), disease, diagnosisAccess(user.role));
    });
  }

  private async disease(em: EntityManager, code: string): Promise<Disease> {
    const disease = await em.findOneBy(Disease, { code });
    if (!disease) {
      throw new HealthError(
        HealthErrorCode.DiseaseUnknown,
        `diseaseCode ${code} is not in the catalogue (GET /api/diseases)`,
        'diseaseCode',
      );
    }
    return disease;
  }

  /**
   * The treatment fields as they will be stored: dates in order and not in the future; confirmation,
   * hospital and start day for major diseases only; a reason with `declined` (and only then); a
   * major disease put in treatment by an update without a start day started today (the day the change
   * is recorded); recorded in treatment from the start without one, its start day stays unknown (null).
   */
  private treatment(disease: Disease, t: Treatment, statusChanged = false): Treatment {
    const today = this.clock.today();
    if (disease.kind !== 'major') {
      for (const field of ['confirmedOn', 'hospital', 'treatmentStartedOn'] as const) {
        if (t[field] !== null) {
          throw new HealthError(
            HealthErrorCode.MajorDiseaseOnly,
            `${field} is recorded for major diseases only`,
            field,
          );
        }
      }
    }
    for (const field of ['confirmedOn', 'treatmentStartedOn'] as const) {
      const day = t[field];
      if (day !== null && (day > today || day < t.diagnosedOn)) {
        throw new HealthError(
          HealthErrorCode.TreatmentDateOutOfRange,
          `${field} must lie between the diagnosis and today`,
          field,
        );
      }
    }
    if (t.confirmedOn !== null && t.treatmentStartedOn !== null && t.treatmentStartedOn < t.confirmedOn) {
      throw new HealthError(
        HealthErrorCode.StartedBeforeConfirmed,
        'treatmentStartedOn is before confirmedOn',
        'treatmentStartedOn',
      );
    }
    if (t.treatmentStatus === 'declined' && !t.declineReason?.trim()) {
      throw new HealthError(
        HealthErrorCode.DeclineReasonMissing,
        'declineReason is required when treatment is declined',
        'declineReason',
      );
    }
    const started =
      statusChanged &&
      disease.kind === 'major' &&
      t.treatmentStartedOn === null &&
      ['in_treatment', 'treated'].includes(t.treatmentStatus);
    return {
      ...t,
      declineReason: t.treatmentStatus === 'declined' ? t.declineReason!.trim() : null,
      treatmentStartedOn: started ? today : t.treatmentStartedOn,
    };
  }

  private assertCategory(category: TreatmentCategory, disease: Disease): void {
    if (!CATEGORY_KINDS[category].includes(disease.kind)) {
      throw new HealthError(
        HealthErrorCode.CategoryMismatch,
        `treatmentCategory ${category} does not apply to ${disease.name} (a ${disease.kind} disease)`,
        'treatmentCategory',
      );
    }
  }

  private assertDiagnosedOn(diagnosedOn: string, birthDate: string): void {
    if (diagnosedOn > this.clock.today() || diagnosedOn < birthDate) {
      throw new HealthError(
        HealthErrorCode.DiagnosedOnOutOfRange,
        'diagnosedOn must lie between the birth date and today',
        'diagnosedOn',
      );
    }
  }
}
