import { AppError, ErrorCode } from '../common/app-error.js';

/** Why the ledger refuses an action on an item (the pages tell each in Chinese: web/error-messages.ts). */
export enum LedgerErrorCode {
  /** Insurance staff on an item of 卫健局 (the department rule of item-policy.ts). */
  OtherDepartment = 'other_department',
  /** The item's status does not allow the action (the life cycle of item-policy.ts). */
  WrongStatus = 'wrong_status',
  /** Someone changed the item since the caller read it. */
  Stale = 'stale',
  /** A reopen while another item is open for the same gap. */
  OpenTwin = 'open_twin',
}

/** Each ledger code is one kind of AppError, and so one HTTP status (httpStatusOf). */
const KIND: Record<LedgerErrorCode, ErrorCode> = {
  [LedgerErrorCode.OtherDepartment]: ErrorCode.Forbidden,
  [LedgerErrorCode.WrongStatus]: ErrorCode.InvalidTransition,
  [LedgerErrorCode.Stale]: ErrorCode.VersionConflict,
  [LedgerErrorCode.OpenTwin]: ErrorCode.Duplicate,
};

/** A refusal of the item life cycle; the API answers with its kind's code, the pages with its own message. */
export class LedgerError extends AppError {
  constructor(
    readonly reason: LedgerErrorCode,
    message: string,
    field?: string,
  ) {
    super(KIND[reason], message, field);
    this.name = 'LedgerError';
  }
}
