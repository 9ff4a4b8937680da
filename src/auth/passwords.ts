import { dictionary } from '@zxcvbn-ts/language-common';
import bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';

/** bcrypt's work factor: ~60 ms a hash on one core, off the event loop (libuv's thread pool). */
const COST = 10;

/** Native bcrypt (the `bcrypt` binding): verifies the $2a$/$2b$ hashes bcryptjs wrote before. */
export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

/** A readable random password for the first admin when ADMIN_PASSWORD is not set. */
export function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}

/** Compared against when the username is unknown, so that the answer takes as long either way. */
export const DUMMY_HASH = bcrypt.hashSync(randomPassword(), COST);

export const PASSWORD_MIN_LENGTH = 10;
/** bcrypt reads 72 bytes; a longer password would be cut silently. */
const PASSWORD_MAX_BYTES = 72;

/** zxcvbn-ts' list of the ~49 000 most common passwords (lower case), plus this product's own. */
let common: Set<string> | undefined;
const commonPasswords = (): Set<string> =>
  (common ??= new Set([...dictionary['passwords-common'], 'demo2020', 'woaini1314', 'admin123456', 'hpa123456789']));

export type PasswordProblem = 'length' | 'letters_and_digits' | 'common' | 'username';

/**
 * What is wrong with a new password, or null: at least 10 characters (at most 72 bytes), a
 * letter and a digit, not on the common-password list (case ignored), and at least 6 characters
 * beside the username (`officer1-2020` is the username and a year).
 */
export function passwordProblem(password: string, username?: string): PasswordProblem | null {
  if ([...password].length < PASSWORD_MIN_LENGTH || Buffer.byteLength(password) > PASSWORD_MAX_BYTES) {
    return 'length';
  }
  if (!/\p{L}/u.test(password) || !/\d/.test(password)) {
    return 'letters_and_digits';
  }
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) {
    return 'common';
  }
  if (username && username.length >= 3 && [...lower.split(username.toLowerCase()).join('')].length < 6) {
    return 'username';
  }
  return null;
}

/** The Chinese rule each problem breaks (API messages name the field first). */
export const PASSWORD_RULES: Record<PasswordProblem, string> = {
  length: `密码须为 ${PASSWORD_MIN_LENGTH}–${PASSWORD_MAX_BYTES} 个字符`,
  letters_and_digits: '密码须同时包含字母和数字',
  common: '该密码过于常见，容易被猜中，请换一个',
  username: '密码除用户名外至少还需 6 个字符',
};
