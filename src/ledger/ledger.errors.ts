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
  /** 申请销号 without any 佐证材料 while the campaign requires evidence (SPEC §6.2). */
  EvidenceMissing = 'evidence_missing',
  /** A review by the user who requested the 销号 (never the requester: SPEC §6.2). */
  OwnRequest = 'own_request',
}

/** Each ledger code is one kind of AppError, and so one HTTP status (httpStatusOf). */
const KIND: Record<LedgerErrorCode, ErrorCode> = {
  [LedgerErrorCode.OtherDepartment]: ErrorCode.Forbidden,
  [LedgerErrorCode.WrongStatus]: ErrorCode.InvalidTransition,
  [LedgerErrorCode.Stale]: ErrorCode.VersionConflict,
  [LedgerErrorCode.OpenTwin]: ErrorCode.Duplicate,
  // The request is well formed; the item's state (no attachment yet) refuses it, as a status would.
  [LedgerErrorCode.EvidenceMissing]: ErrorCode.InvalidTransition,
  [LedgerErrorCode.OwnRequest]: ErrorCode.Forbidden,
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
