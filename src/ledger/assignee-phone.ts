/**
 * 责任人 phone numbers (SPEC §6.2): a mainland mobile number (11 digits, 1[3-9]…) or a landline with
 * its area code (010 and 02x have three digits, every other code four; then 7 or 8 digits). Written
 * as people write them (spaces, hyphens, a +86 or 0086 prefix on a mobile, full-width digits); stored
 * one way: `13912345678`, `029-88886666`.
 */
const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^(0(?:10|2\d|[3-9]\d{2}))([2-9]\d{6,7})$/;

/** The number in its stored form, or null when it is neither a mobile nor a landline number. */
export function normalizePhone(raw: string): string | null {
  const digits = raw
    .normalize('NFKC')
    .replace(/[\s\-()（）]/g, '')
    .replace(/^(?:\+86|0086)(?=1)/, '');
  if (MOBILE.test(digits)) {
    return digits;
  }
  const landline = LANDLINE.exec(digits);
  if (landline && landline[1].length + landline[2].length <= 12) {
    return `${landline[1]}-${landline[2]}`;
  }
  return null;
}

/**
 * The number as roles outside the item's sub-district and department read it, and as the ledger
 * keeps it: the first three and last four digits of a mobile (139****5678), the area code and the
 * last four digits of a landline (029-****6666).
 */
export function maskPhone(phone: string): string {
  const dash = phone.indexOf('-');
  if (dash > 0) {
    return `${phone.slice(0, dash)}-****${phone.slice(-4)}`;
  }
  return phone.length > 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}
