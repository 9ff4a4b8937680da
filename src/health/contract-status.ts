import { addMonths, daysBetween } from '../common/dates.js';

export const CONTRACT_STATUSES = ['active', 'expired', 'noncompliant'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export interface ContractTerms {
  signedOn: string;
  validUntil: string;
  requiredFollowUps: number;
  /** Set when the contract ended early (the person died): expired from the next day. */
  endedOn?: string | null;
}

/** The contract's last day: validUntil, or the day it ended early. */
export function lastDayOf(terms: ContractTerms): string {
  return terms.endedOn && terms.endedOn < terms.validUntil ? terms.endedOn : terms.validUntil;
}

/**
 * A contract's status on `today`:
 * - `expired` once `today` is past its last day (`validUntil`, or `endedOn` when the person died);
 * - `noncompliant` when it has run for more than a quarter (signed before today minus 3 months)
 *   and has fewer follow-ups than pro rata: visits < floor(required × elapsed days / term days);
 * - `active` otherwise.
 * `visits` counts follow-ups on or before `today` that count (follow-up-rules countsAsFollowUp: not
 * unreachable, not away). ContractsService.statusSql is the same rule in SQL.
 */
export function contractStatus(terms: ContractTerms, visits: number, today: string): ContractStatus {
  if (today > lastDayOf(terms)) {
    return 'expired';
  }
  if (terms.signedOn >= addMonths(today, -3)) {
    return 'active';
  }
  const term = daysBetween(terms.signedOn, terms.validUntil);
  const elapsed = daysBetween(terms.signedOn, today);
  // visits < floor(required × elapsed / term)  ⇔  (visits + 1) × term ≤ required × elapsed, in integers.
  return (visits + 1) * term <= terms.requiredFollowUps * elapsed ? 'noncompliant' : 'active';
}

/** Follow-ups due by `today` pro rata (shown beside the count on the profile). */
export function followUpsDue(terms: ContractTerms, today: string): number {
  const last = lastDayOf(terms);
  const to = today < last ? today : last;
  const elapsed = Math.max(0, daysBetween(terms.signedOn, to));
  return Math.floor((terms.requiredFollowUps * elapsed) / daysBetween(terms.signedOn, terms.validUntil));
}
