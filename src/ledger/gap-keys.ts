/**
 * The keys that identify a gap (rule × person × year), whatever finds it: an item is not filed
 * while another with its key is open (items.openKey is unique).
 */

/**
 * A registered person without enrollment for a year: the check `not_insured` and the
 * reconciliation's `registered_not_insured` find the same gap, so both file it under this key.
 */
export function insuranceGapKey(personId: number, year: number): string {
  return `insurance_gap:person:${personId}:${year}`;
}

/**
 * The keys open items of that gap were filed under before the shared key (their `created` entries
 * are immutable, so the items keep them): the check's (which named no year) and the reconciliation's.
 */
export function legacyInsuranceGapKeys(personId: number, year: number): string[] {
  return [`not_insured:person:${personId}`, `reconciliation:registered_not_insured:${year}:person:${personId}`];
}

/**
 * A gap the poverty office's register shows (SPEC §6.5), per kind and subject (`person:12`,
 * `household:3`, or a keyed unregistered ID number): one open item, however many rosters find it.
 */
export function povertyGapKey(kind: string, subject: string): string {
  return `poverty_gap:${kind}:${subject}`;
}
