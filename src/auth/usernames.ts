/** 3–32 ASCII letters, digits, `_`, `.` or `-`: what a new username must be, and a login's before any look-up. */
export const USERNAME_RULE = /^[A-Za-z0-9_.-]{3,32}$/;

/**
 * The stored form of a username typed at login or creation (lower case), or null when it breaks
 * the rule and so cannot be anyone's. The rule is checked on the raw text, before case folding:
 * `ｓｅｃｐｒｏｂｅ`, `sécprobe`, `secprobe ` and the Kelvin sign's `K` never reach the database.
 */
export function normalizeUsername(raw: string): string | null {
  return USERNAME_RULE.test(raw) ? raw.toLowerCase() : null;
}
