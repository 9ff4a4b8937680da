import type { CheckRunView } from '../checks/check-runs.service.js';
import type { RunStatus } from '../common/run-status.js';
import type { EscalationTrigger } from '../escalation/escalation-run.entity.js';
import type { RunView } from '../escalation/escalation-runs.service.js';

/** The runs pages' words for a run's state, trigger and kind. */
export const RUN_STATUS_LABELS: Record<RunStatus, string> = {
  running: '运行中',
  interrupted: '已中断',
  done: '已完成',
  failed: '失败',
};

export const TRIGGER_LABELS: Record<EscalationTrigger, string> = {
  schedule: '每日定时',
  manual: '手动运行',
  backfill: '补跑往日',
};

/** A refused run's message at its field (the services' own messages are for the API's callers). */
export const CHECK_RUN_REFUSALS = {
  campaignId: '请选择已有的整改专项',
  asOf: '检查日期必须是有效日期（年-月-日）',
} as const;

export const ESCALATION_RUN_REFUSALS = {
  asOf: '预警日期不能晚于今天：等级只升不降，只有试运行可以查看以后的日期',
} as const;

/** What every history row shows, whichever the job. */
export function runRow(run: CheckRunView | RunView) {
  return {
    id: run.id,
    status: run.status,
    statusLabel: RUN_STATUS_LABELS[run.status],
    dryRun: run.dryRun,
    kind: run.dryRun ? '试运行' : '正式运行',
    asOf: run.asOf,
    startedAt: run.startedAt,
    seconds: run.durationMs === null ? null : (run.durationMs / 1000).toFixed(1),
    failed: run.error !== null,
  };
}
