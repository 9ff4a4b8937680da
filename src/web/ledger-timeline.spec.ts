import { entryDetail } from './ledger-timeline.js';

const TZ = 'Asia/Shanghai';
const hash = (c: string) => c.repeat(64);

describe('the timeline says what each entry of 销号审核 recorded', () => {
  it('names an uploaded file, its kind and size, and the start of its hash', () => {
    const detail = entryDetail(
      {
        type: 'attachment_added',
        payload: { attachmentId: 3, sha256: hash('3'), name: '现场照片.jpg', type: 'image/jpeg', size: 2560 },
      },
      TZ,
    );
    expect(detail).toBe(`佐证材料「现场照片.jpg」（JPEG 照片，2.5 KB），SHA-256 ${'3'.repeat(12)}…`);
    expect(
      entryDetail({ type: 'attachment_added', payload: { sha256: hash('b'), type: 'application/pdf', size: 900 } }, TZ),
    ).toBe(`佐证材料（PDF 文件，900 字节），SHA-256 ${'b'.repeat(12)}…`);
  });

  it("counts a close request's evidence and names each file by the start of its hash", () => {
    expect(
      entryDetail(
        { type: 'close_requested', payload: { status: 'pending_review', evidence: [hash('1'), hash('2')] } },
        TZ,
      ),
    ).toBe(`申请销号，附佐证材料 2 份：${'1'.repeat(12)}…、${'2'.repeat(12)}…`);
    expect(entryDetail({ type: 'close_requested', payload: { status: 'pending_review', evidence: [] } }, TZ)).toBe(
      '申请销号，未附佐证材料',
    );
  });

  it('names the requester of a rejected request, and both sides of a reviewed close; a direct close has none', () => {
    const requestedBy = { id: 4, name: '城关街道 王专干' };
    expect(entryDetail({ type: 'close_rejected', payload: { status: 'in_progress', requestedBy } }, TZ)).toBe(
      '退回 城关街道 王专干 的销号申请，改为整改中',
    );
    expect(
      entryDetail(
        { type: 'closed', payload: { status: 'closed', requestedBy, reviewedBy: { id: 2, name: '卫健局 张业务' } } },
        TZ,
      ),
    ).toBe('审核通过：城关街道 王专干 申请，卫健局 张业务 审核');
    expect(entryDetail({ type: 'closed', payload: { status: 'closed' } }, TZ)).toBeNull();
  });

  it('shows a 责任人 with the phone as the ledger keeps it (masked), and a change from the previous one', () => {
    expect(
      entryDetail(
        {
          type: 'assignee_changed',
          payload: { assigneeName: { from: null, to: '王建国' }, assigneePhone: { from: null, to: '139****5678' } },
        },
        TZ,
      ),
    ).toBe('责任人：王建国（139****5678）');
    expect(
      entryDetail(
        {
          type: 'assignee_changed',
          payload: {
            assigneeName: { from: '王建国', to: '李强' },
            assigneePhone: { from: '139****5678', to: '029-****6666' },
          },
        },
        TZ,
      ),
    ).toBe('责任人：王建国（139****5678） → 李强（029-****6666）');
  });

  it('has nothing to add to a comment: its note is the comment', () => {
    expect(entryDetail({ type: 'comment', payload: null }, TZ)).toBeNull();
  });
});
