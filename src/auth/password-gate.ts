import { Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { AppError } from '../common/app-error.js';
import { verifyPassword } from './passwords.js';

/** bcrypt comparisons at once (each holds one of libuv's four threads for ~60 ms). */
export const HASH_CONCURRENCY = 2;
/** Logins that may wait for a comparison; beyond, 429 at once (the wait stays under a second). */
export const HASH_QUEUE = 16;

/**
 * The one door to password comparison at login: at most HASH_CONCURRENCY run at once, a few wait,
 * the rest are refused, so that a flood of logins cannot take the CPU (or the thread pool that file
 * and DNS work share) from everyone else.
 */
@Injectable()
export class PasswordGate {
  private readonly limit = pLimit(HASH_CONCURRENCY);
  /** Comparisons run so far, and the most that ran at once (for the tests and the curious). */
  compared = 0;
  peak = 0;

  verify(password: string, hash: string): Promise<boolean> {
    if (this.limit.pendingCount >= HASH_QUEUE) {
      return Promise.reject(AppError.rateLimited('登录请求过多，请稍后再试。', 2));
    }
    return this.limit(() => {
      this.compared += 1;
      this.peak = Math.max(this.peak, this.limit.activeCount);
      return verifyPassword(password, hash);
    });
  }
}
