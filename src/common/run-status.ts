/**
 * A recorded run's state (the escalation job, the gap checks): `running` while it shows signs of
 * life, `interrupted` when it has not for RUN_QUIET_MINUTES (its process was killed), `done`, `failed`.
 */
export type RunStatus = 'running' | 'done' | 'failed' | 'interrupted';

/** A run that has committed nothing for this long is not running any more (a batch takes seconds). */
export const RUN_QUIET_MINUTES = 10;

/** The state of a run from its record, as of `now`. */
export function runStatus(
  run: { finishedAt: Date | null; error: string | null; heartbeatAt: Date | null; startedAt: Date },
  now: Date,
): RunStatus {
  if (run.finishedAt) {
    return 'done';
  }
  if (run.error !== null) {
    return 'failed';
  }
  const lastSign = (run.heartbeatAt ?? run.startedAt).getTime();
  return lastSign < now.getTime() - RUN_QUIET_MINUTES * 60_000 ? 'interrupted' : 'running';
}
