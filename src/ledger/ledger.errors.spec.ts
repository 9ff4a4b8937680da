import { httpStatusOf } from '../common/app-error.js';
import { LedgerError, LedgerErrorCode } from './ledger.errors.js';

describe('LedgerError', () => {
  it.each([
    [LedgerErrorCode.OtherDepartment, 'forbidden', 403],
    [LedgerErrorCode.WrongStatus, 'invalid_transition', 409],
    [LedgerErrorCode.Stale, 'version_conflict', 409],
    [LedgerErrorCode.OpenTwin, 'duplicate', 409],
    [LedgerErrorCode.EvidenceMissing, 'invalid_transition', 409],
    [LedgerErrorCode.OwnRequest, 'forbidden', 403],
  ])('%s is a %s refusal (%i)', (reason, code, status) => {
    const error = new LedgerError(reason, 'refused', 'status');
    expect(error).toMatchObject({ reason, code, field: 'status', message: 'refused' });
    expect(httpStatusOf(error.code)).toBe(status);
  });
});
