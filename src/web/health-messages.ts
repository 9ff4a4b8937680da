import type { AppError } from '../common/app-error.js';
import { HealthError, HealthErrorCode } from '../health/health.errors.js';
import { refusalMessage } from './forms.js';

/** The health records' refusals in Chinese, one per code (the API answers them in English). */
export const HEALTH_REFUSALS: Record<HealthErrorCode, string> = {
  [HealthErrorCode.DiseaseUnknown]: '所选病种不在病种目录中，请从列表中选择。',
  [HealthErrorCode.CategoryMismatch]:
    '分类救治类别与病种不符：大病集中救治只适用于大病，慢病签约服务管理只适用于慢病，重病兜底保障两者均可。',
  [HealthErrorCode.DiagnosedOnOutOfRange]: '确诊日期不能早于出生日期，也不能晚于今天。',
  [HealthErrorCode.ConditionExists]: '该成员已登记此病种，如需变更请修改下方该病种的救治状态。',
  [HealthErrorCode.MajorDiseaseOnly]: '核准日期、定点医院和开始救治日期只适用于大病专项救治病种，慢病请留空。',
  [HealthErrorCode.TreatmentDateOutOfRange]: '该日期应在确诊日期与今天之间。',
  [HealthErrorCode.StartedBeforeConfirmed]: '开始救治日期不能早于核准日期。',
  [HealthErrorCode.DeclineReasonMissing]: '选择“放弃救治”时必须填写放弃原因。',
  [HealthErrorCode.SignedInFuture]: '签约日期不能晚于今天。',
  [HealthErrorCode.ValidUntilNotAfterSigning]: '有效期至必须晚于签约日期。',
  [HealthErrorCode.PersonUnknown]: '找不到该成员，请刷新页面后重试。',
  [HealthErrorCode.NotChronic]: '签约病种必须是病种目录中的慢病。',
  [HealthErrorCode.ConditionMissing]: '该成员尚未登记所选病种，请先新增患病，再签约。',
  [HealthErrorCode.VisitBeforeSigning]: '随访日期不能早于签约日期。',
  [HealthErrorCode.VisitInFuture]: '随访日期不能晚于今天。',
  [HealthErrorCode.VisitAfterContract]: '随访日期晚于签约有效期，请先续签。',
  [HealthErrorCode.ReadingWithoutVisit]: '只有随访结果为“已随访”时才能填写血压、血糖读数。',
  [HealthErrorCode.BloodPressureNotCovered]: '该签约不含高血压，不能填写血压。',
  [HealthErrorCode.BloodPressureHalf]: '血压须同时填写收缩压和舒张压。',
  [HealthErrorCode.DiastolicNotBelowSystolic]: '舒张压必须低于收缩压。',
  [HealthErrorCode.GlucoseNotCovered]: '该签约不含2型糖尿病，不能填写空腹血糖。',
  [HealthErrorCode.RenewalNotAfterSigning]: '续签日期必须晚于原签约日期。',
  [HealthErrorCode.RenewalBeforeFollowUp]: '续签日期必须晚于原签约最后一次随访的日期。',
  [HealthErrorCode.ContractEnded]: '原签约已提前终止，不能续签；如需签约请新签。',
  [HealthErrorCode.ContractRenewed]: '该签约已续签过，请在新的签约上办理。',
  [HealthErrorCode.PersonInactive]: '该成员已故或已迁出，不能续签。',
};

/** A refused health form's message: the health code's words, else the kind's (forms.ts; "not found" is the 404 page). */
export function healthRefusal(error: AppError): string {
  return error instanceof HealthError ? HEALTH_REFUSALS[error.reason] : refusalMessage(error);
}
