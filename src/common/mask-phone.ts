/**
 * A phone number as exports and pages show personal data: every digit masked but the last four
 * (13812345678 → *******5678, 0917-3214567 → ****-***4567). A number of four digits or fewer is
 * masked whole, since its last four would be all of it.
 */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '').length;
  const keep = digits > 4 ? 4 : 0;
  let seen = 0;
  return phone.replace(/\d/g, (digit) => (++seen > digits - keep ? digit : '*'));
}
