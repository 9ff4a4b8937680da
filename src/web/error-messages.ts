import { ErrorCode } from '../common/app-error.js';
import { LedgerErrorCode } from '../ledger/ledger.errors.js';

/**
 * The Chinese words for errors, in one place: the error page's by HTTP status (httpStatusOf gives
 * a code's), and a refused form's by error code (a module's own code where it has one).
 */
const PAGE_ERRORS: Record<number, { title: string; explanation: string }> = {
  400: { title: '请求有误', explanation: '请求中的参数不正确，请返回上一页检查后重试。' },
  403: { title: '无权访问', explanation: '您的账号没有访问此页面或执行此操作的权限。' },
  404: { title: '页面不存在', explanation: '您要找的页面或记录不存在，或不在您的管辖范围内。' },
  409: { title: '操作冲突', explanation: '记录已被他人修改，请刷新页面后重试。' },
  413: { title: '文件过大', explanation: '上传的文件超过了允许的大小。' },
  415: { title: '文件类型不支持', explanation: '上传的文件类型不在允许的范围内。' },
  429: { title: '操作过于频繁', explanation: '操作过于频繁，请稍后再试。' },
  503: { title: '服务暂不可用', explanation: '数据库暂时无法连接，请稍后再试。' },
};

export function pageTitle(status: number): string {
  return PAGE_ERRORS[status]?.title ?? '出错了';
}

export function pageExplanation(status: number): string {
  return PAGE_ERRORS[status]?.explanation ?? '服务器处理请求时出错，请稍后再试。';
}

/** A refused form's message by code (forms.ts refusalMessage); "not found" has none: it becomes the 404 page. */
export const REFUSALS: Record<Exclude<ErrorCode, ErrorCode.NotFound>, string> = {
  [ErrorCode.VersionConflict]: '该记录已被他人修改。请查看下方最新内容，确认后重新提交（您填写的内容已保留）。',
  [ErrorCode.InvalidTransition]: '该记录当前的状态不允许此操作，请查看最新状态。',
  [ErrorCode.Forbidden]: '您无权对该记录执行此操作。',
  [ErrorCode.Duplicate]: '已存在相同的记录，操作未执行。',
  [ErrorCode.Invalid]: '填写的内容有误，请检查后重新提交。',
  [ErrorCode.RateLimited]: '操作过于频繁，请稍后再试。',
  [ErrorCode.Unauthenticated]: '用户名或密码错误。',
};

/** An item's refusal by the ledger's own code: the kind's words, but for a reopen beside an open twin. */
export const LEDGER_REFUSALS: Record<LedgerErrorCode, string> = {
  [LedgerErrorCode.OtherDepartment]: REFUSALS[ErrorCode.Forbidden],
  [LedgerErrorCode.WrongStatus]: REFUSALS[ErrorCode.InvalidTransition],
  [LedgerErrorCode.Stale]: REFUSALS[ErrorCode.VersionConflict],
  [LedgerErrorCode.OpenTwin]: '同一问题已有一条未销号的记录，不能重新打开。',
  [LedgerErrorCode.EvidenceMissing]: '本专项要求销号前上传佐证材料：请先上传至少一份照片或扫描件，再申请销号。',
  [LedgerErrorCode.OwnRequest]: '不能审核本人提交的销号申请，请由责任部门的其他人员审核。',
};

/** A 责任人 form that names the 责任人 and phone the item has already. */
export const ASSIGNEE_UNCHANGED = '责任人和联系电话与现在的相同，未作修改。';

/**
 * A refused 佐证材料 upload on the item page, by the status the upload answered: no file (400), too
 * large (413, with the limit), not a JPEG, PNG or PDF by its bytes (415). Null for the others (the
 * item's own refusals are worded by code; 403/404 are the error page).
 */
export function evidenceRefusal(status: number, maxMb: number): string | null {
  switch (status) {
    case 400:
      return '请选择一个要上传的文件（JPEG、PNG 照片或 PDF 文件），每次一个。';
    case 413:
      return `文件超过 ${maxMb} MB，未保存。佐证材料每个文件不能超过 ${maxMb} MB，请压缩照片或分开扫描后再上传。`;
    case 415:
      return '只能上传 JPEG 或 PNG 照片、PDF 文件（按文件内容识别，与文件名无关）。该文件不是其中之一，未保存。';
    default:
      return null;
  }
}
