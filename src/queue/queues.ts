import type { JobOptions } from 'bull';

/** Queue names (Bull on Redis). One queue per kind of background work. */
export const QUEUES = {
  escalation: 'escalation',
  imports: 'imports',
  reconciliations: 'reconciliations',
  riskSettlements: 'risk-settlements',
  riskRuns: 'risk-runs',
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** The escalation queue's one job: the nightly repeatable job and manual runs (jobId `escalation:<asOf>`). */
export const ESCALATION_JOB = 'escalate';

/** The risk-runs queue's one job: the daily repeatable run, runs after uploads and by hand (SPEC §6.6). */
export const RISK_RUN_JOB = 'risk-run';

/**
 * Defaults for every job: retried with backoff (delivery is at-least-once, so the work itself must
 * be idempotent), and kept only briefly once done so Redis does not grow without bound.
 */
export const JOB_DEFAULTS: JobOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000 },
  removeOnComplete: 1_000,
  removeOnFail: 5_000,
};
