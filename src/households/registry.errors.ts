import { AppError, ErrorCode } from '../common/app-error.js';

/** Why the registry refuses a household or member change (the pages word each: web/household-forms.ts). */
export enum RegistryErrorCode {
  /** A new household's members hold no head (户主), or more than one. */
  HeadCount = 'head_count',
  /** A second head for a household that has one. */
  SecondHead = 'second_head',
  /** The same ID number twice among a new household's members. */
  RepeatedIdNumber = 'repeated_id_number',
  RegistryNoTaken = 'registry_no_taken',
  IdNumberTaken = 'id_number_taken',
  /** Not a known village or sub-district. */
  UnknownRegion = 'unknown_region',
  FutureYear = 'future_year',
  /** A day of 已故/迁出 after today. */
  StatusDateFuture = 'status_date_future',
  /** A day of 已故/迁出 before the household's registered year. */
  StatusDateBeforeRegistration = 'status_date_before_registration',
  /** A day of 已故/迁出 for a member who stays active. */
  StatusDateWhileActive = 'status_date_while_active',
}

const KIND: Record<RegistryErrorCode, ErrorCode> = {
  [RegistryErrorCode.HeadCount]: ErrorCode.Invalid,
  [RegistryErrorCode.SecondHead]: ErrorCode.Invalid,
  [RegistryErrorCode.RepeatedIdNumber]: ErrorCode.Invalid,
  [RegistryErrorCode.RegistryNoTaken]: ErrorCode.Duplicate,
  [RegistryErrorCode.IdNumberTaken]: ErrorCode.Duplicate,
  [RegistryErrorCode.UnknownRegion]: ErrorCode.Invalid,
  [RegistryErrorCode.FutureYear]: ErrorCode.Invalid,
  [RegistryErrorCode.StatusDateFuture]: ErrorCode.Invalid,
  [RegistryErrorCode.StatusDateBeforeRegistration]: ErrorCode.Invalid,
  [RegistryErrorCode.StatusDateWhileActive]: ErrorCode.Invalid,
};

/** A refusal of the registry; the API answers with its kind's code, the pages with its own message. */
export class RegistryError extends AppError {
  constructor(
    readonly reason: RegistryErrorCode,
    message: string,
    field: string,
  ) {
    super(KIND[reason], message, field);
    this.name = 'RegistryError';
  }
}
