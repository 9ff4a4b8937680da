import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppConfig } from './app-config.js';

/** The generated secret's file, in the data directory (beside the SQLite file). */
export const SECRET_FILE = 'jwt-secret';

/** Where the data directory's generated secret lives: next to DB_PATH (data/ by default, on MySQL too). */
export function secretFileOf(config: AppConfig): string | null {
  return config.DB_PATH === ':memory:' ? null : join(dirname(config.DB_PATH), SECRET_FILE);
}

/**
 * The secret of this data directory: read from its file, or generated (48 random bytes) and
 * written there once with mode 0600. Two processes starting together agree: the file appears
 * whole (written aside, then hard-linked into place), and the one that loses the race reads the
 * winner's.
 */
export function dataDirectorySecret(file: string): string {
  try {
    return readSecret(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
  mkdirSync(dirname(file), { recursive: true });
  const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(aside, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600 });
  chmodSync(aside, 0o600); // the umask may have narrowed the mode, never widened it; set it exactly
  try {
    linkSync(aside, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw error;
    }
  } finally {
    unlinkSync(aside);
  }
  return readSecret(file);
}

function readSecret(file: string): string {
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) {
    throw new Error(`${file} does not hold a secret (delete it to have a new one generated)`);
  }
  return secret;
}

/**
 * Fills JWT_SECRET when it was not configured: the data directory's generated secret (an
 * in-memory database gets one for this process only). loadConfig has already refused this
 * in production and on a non-loopback HOST; the start-up check says so once more before listening.
 */
export function ensureJwtSecret(config: AppConfig): AppConfig {
  if (config.JWT_SECRET === '') {
    const file = secretFileOf(config);
    config.JWT_SECRET = file ? dataDirectorySecret(file) : randomBytes(48).toString('base64url');
    config.jwtSecretGenerated = true;
  }
  return config;
}
