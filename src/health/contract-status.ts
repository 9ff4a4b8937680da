import { addMonths, daysBetween } from '../common/dates.js';

export const CONTRACT_STATUSES = ['active', 'expired', 'noncompliant'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

export interface ContractTerms {
  signedOn: string;
  validUntil: string;
  requiredFollowUps: number;
}

/**
 * A contract's status on `today`:
 * - `expired` once `today` is past `validUntil` (the last valid day);
 * - `noncompliant` when it has run for more than a quarter (signed before today minus 3 months)
 *   and has fewer follow-ups than pro rata: visits < floor(required × elapsed days / term days);
 * - `active` otherwise.
 * `visits` counts follow-ups on or before `today`. ContractsService.statusSql is the same rule in SQL.
 */
export function contractStatus(terms: ContractTerms, visits: number, today: string): ContractStatus {
  if (today > terms.validUntil) {
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
  const to = today < terms.validUntil ? today : terms.validUntil;
  const elapsed = Math.max(0, daysBetween(terms.signedOn, to));
  return Math.floor((terms.requiredFollowUps * elapsed) / daysBetween(terms.signedOn, terms.validUntil));
}
