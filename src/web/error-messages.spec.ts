import { AppError, ErrorCode } from '../common/app-error.js';
import { LedgerError, LedgerErrorCode } from '../ledger/ledger.errors.js';
import { evidenceRefusal, pageExplanation, pageTitle } from './error-messages.js';
import { refusalMessage } from './forms.js';

describe('error messages', () => {
  it('tells a ledger refusal by its own code, any other by its kind', () => {
    expect(refusalMessage(new LedgerError(LedgerErrorCode.OpenTwin, 'twin'))).toBe(
      '同一问题已有一条未销号的记录，不能重新打开。',
    );
    expect(refusalMessage(new AppError(ErrorCode.Duplicate, 'same'))).toBe('已存在相同的记录，操作未执行。');
    expect(refusalMessage(new LedgerError(LedgerErrorCode.Stale, 'stale'))).toContain('已被他人修改');
  });

  it('titles and explains the error page by status, with a fallback for the rest', () => {
    expect(pageTitle(404)).toBe('页面不存在');
    expect(pageExplanation(503)).toContain('数据库');
    expect(pageTitle(500)).toBe('出错了');
    expect(pageExplanation(500)).toContain('服务器');
  });

  it('words a refused evidence upload by its status, naming the limit; others are not its to word', () => {
    expect(evidenceRefusal(413, 10)).toContain('不能超过 10 MB');
    expect(evidenceRefusal(415, 10)).toContain('只能上传 JPEG 或 PNG 照片、PDF 文件');
    expect(evidenceRefusal(400, 10)).toContain('请选择');
    expect(evidenceRefusal(404, 10)).toBeNull();
    expect(evidenceRefusal(403, 10)).toBeNull();
  });
});
