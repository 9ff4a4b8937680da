import type { EscalationStep } from '../ledger/item-levels.service.js';

/** More notices than this of one level for one user in one run become one digest (到期汇总). */
export const DIGEST_THRESHOLD = 5;

/** Items a digest names one by one (a body within a TEXT column); the rest are counted (the list it links to has them all). */
export const DIGEST_LINES = 100;

/** One notice a run would write: a step for a recipient. */
export interface Addressed {
  userId: number;
  step: EscalationStep;
}

/** One user's steps of one level, told in a single notice, the most urgent (earliest deadline) first. */
export interface Digest {
  userId: number;
  level: number;
  steps: EscalationStep[];
}

/**
 * A run's notices, each user's of one level kept apart while there are at most DIGEST_THRESHOLD of
 * them, gathered into one Digest beyond that: nobody finds 40 notices of the same kind one morning.
 */
export function splitDigests(notices: readonly Addressed[]): { single: Addressed[]; digests: Digest[] } {
  const groups = new Map<string, Addressed[]>();
  for (const notice of notices) {
    const key = `${notice.userId}:${notice.step.level}`;
    const group = groups.get(key);
    if (group) {
      group.push(notice);
    } else {
      groups.set(key, [notice]);
    }
  }
  const single: Addressed[] = [];
  const digests: Digest[] = [];
  for (const group of groups.values()) {
    if (group.length <= DIGEST_THRESHOLD) {
      single.push(...group);
      continue;
    }
    const steps = group.map((n) => n.step).sort((a, b) => a.deadline.localeCompare(b.deadline) || a.itemId - b.itemId);
    digests.push({ userId: group[0].userId, level: group[0].step.level, steps });
  }
  return { single, digests };
}

/** Where a digest leads: the 台账 filtered to the items not closed at that level, the most urgent first. */
export function digestLink(level: number): string {
  return `/items?closed=false&level=${level}&sort=deadline`;
}
