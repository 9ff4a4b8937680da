import { AppError, ErrorCode } from '../common/app-error.js';

/** Why the health records refuse a change (the pages tell each in Chinese: web/health-messages.ts). */
export enum HealthErrorCode {
  /** diseaseCode not in the 病种目录. */
  DiseaseUnknown = 'disease_unknown',
  /** 三个一批 category that does not apply to the disease's kind. */
  CategoryMismatch = 'category_mismatch',
  /** 确诊日期 before the birth date or after today. */
  DiagnosedOnOutOfRange = 'diagnosed_on_out_of_range',
  /** The person has this disease recorded already. */
  ConditionExists = 'condition_exists',
  /** 核准日期, 定点医院 or 开始救治日期 on a disease that is not major. */
  MajorDiseaseOnly = 'major_disease_only',
  /** 核准 or 开始救治 outside the diagnosis … today span. */
  TreatmentDateOutOfRange = 'treatment_date_out_of_range',
  StartedBeforeConfirmed = 'started_before_confirmed',
  /** 放弃救治 without a reason. */
  DeclineReasonMissing = 'decline_reason_missing',
  SignedInFuture = 'signed_in_future',
  ValidUntilNotAfterSigning = 'valid_until_not_after_signing',
  PersonUnknown = 'person_unknown',
  /** A contract for a disease that is not a chronic one of the catalogue. */
  NotChronic = 'not_chronic',
  /** A contract for a disease the person has no condition of. */
  ConditionMissing = 'condition_missing',
  VisitBeforeSigning = 'visit_before_signing',
  VisitInFuture = 'visit_in_future',
  VisitAfterContract = 'visit_after_contract',
  /** Readings with a result other than `visited`. */
  ReadingWithoutVisit = 'reading_without_visit',
  BloodPressureNotCovered = 'blood_pressure_not_covered',
  /** Only one half of a blood pressure. */
  BloodPressureHalf = 'blood_pressure_half',
  DiastolicNotBelowSystolic = 'diastolic_not_below_systolic',
  GlucoseNotCovered = 'glucose_not_covered',
  /** 续签 dated on or before the old contract's signing. */
  RenewalNotAfterSigning = 'renewal_not_after_signing',
  /** 续签 dated on or before a follow-up of the old contract (it would fall outside both terms). */
  RenewalBeforeFollowUp = 'renewal_before_follow_up',
  /** 续签 of a contract that ended early (the person died). */
  ContractEnded = 'contract_ended',
  /** 续签 of a contract that was renewed already. */
  ContractRenewed = 'contract_renewed',
  /** 续签 for a person who is no longer active (已故, 迁出). */
  PersonInactive = 'person_inactive',
}

/** Each health code is one kind of AppError, and so one HTTP status (httpStatusOf). */
const KIND: Record<HealthErrorCode, ErrorCode> = {
  [HealthErrorCode.DiseaseUnknown]: ErrorCode.Invalid,
  [HealthErrorCode.CategoryMismatch]: ErrorCode.Invalid,
  [HealthErrorCode.DiagnosedOnOutOfRange]: ErrorCode.Invalid,
  [HealthErrorCode.ConditionExists]: ErrorCode.Duplicate,
  [HealthErrorCode.MajorDiseaseOnly]: ErrorCode.Invalid,
  [HealthErrorCode.TreatmentDateOutOfRange]: ErrorCode.Invalid,
  [HealthErrorCode.StartedBeforeConfirmed]: ErrorCode.Invalid,
  [HealthErrorCode.DeclineReasonMissing]: ErrorCode.Invalid,
  [HealthErrorCode.SignedInFuture]: ErrorCode.Invalid,
  [HealthErrorCode.ValidUntilNotAfterSigning]: ErrorCode.Invalid,
  [HealthErrorCode.PersonUnknown]: ErrorCode.Invalid,
  [HealthErrorCode.NotChronic]: ErrorCode.Invalid,
  [HealthErrorCode.ConditionMissing]: ErrorCode.Invalid,
  [HealthErrorCode.VisitBeforeSigning]: ErrorCode.Invalid,
  [HealthErrorCode.VisitInFuture]: ErrorCode.Invalid,
  [HealthErrorCode.VisitAfterContract]: ErrorCode.Invalid,
  [HealthErrorCode.ReadingWithoutVisit]: ErrorCode.Invalid,
  [HealthErrorCode.BloodPressureNotCovered]: ErrorCode.Invalid,
  [HealthErrorCode.BloodPressureHalf]: ErrorCode.Invalid,
  [HealthErrorCode.DiastolicNotBelowSystolic]: ErrorCode.Invalid,
  [HealthErrorCode.GlucoseNotCovered]: ErrorCode.Invalid,
  [HealthErrorCode.RenewalNotAfterSigning]: ErrorCode.Invalid,
  [HealthErrorCode.RenewalBeforeFollowUp]: ErrorCode.Invalid,
  [HealthErrorCode.ContractEnded]: ErrorCode.InvalidTransition,
  [HealthErrorCode.ContractRenewed]: ErrorCode.InvalidTransition,
  [HealthErrorCode.PersonInactive]: ErrorCode.InvalidTransition,
};

/** A refusal of the health records; the API answers with its kind's code and English message, the pages in Chinese. */
export class HealthError extends AppError {
  constructor(
    readonly reason: HealthErrorCode,
    message: string,
    field?: string,
  ) {
    super(KIND[reason], message, field);
    this.name = 'HealthError';
  }
}
