import { AppError, ErrorCode } from '../common/app-error.js';
import { HealthError, HealthErrorCode } from '../health/health.errors.js';
import { HEALTH_REFUSALS, healthRefusal } from './health-messages.js';

describe('health refusals in Chinese', () => {
  it('words every health code in Chinese, without an English word', () => {
    for (const code of Object.values(HealthErrorCode)) {
      expect(HEALTH_REFUSALS[code]).toMatch(/[\u4e00-\u9fff]/);
      expect(HEALTH_REFUSALS[code]).not.toMatch(/[A-Za-z]/);
    }
  });

  it("tells a health refusal by its code, another by its kind, and keeps the API's status", () => {
    const late = new HealthError(HealthErrorCode.VisitInFuture, 'visitedOn is in the future', 'visitedOn');
    expect(healthRefusal(late)).toBe('随访日期不能晚于今天。');
    expect(late.code).toBe(ErrorCode.Invalid);
    expect(new HealthError(HealthErrorCode.ContractRenewed, 'renewed').code).toBe(ErrorCode.InvalidTransition);
    expect(healthRefusal(new AppError(ErrorCode.VersionConflict, 'stale'))).toContain('已被他人修改');
  });
});
