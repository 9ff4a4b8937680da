import bcrypt from 'bcryptjs';
import { randomBytes } from 'node:crypto';

const COST = 10;

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

/** At least 8 characters with a letter and a digit. */
export const PASSWORD_RULE = /^(?=.*[A-Za-z])(?=.*\d).{8,72}$/;

/** Compared against when the username is unknown, so that the answer takes as long either way. */
export const DUMMY_HASH = bcrypt.hashSync(randomPassword(), COST);
