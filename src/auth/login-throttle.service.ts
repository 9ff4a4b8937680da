import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { RedisService } from '../common/redis.service.js';
import { AppConfig } from '../config/app-config.js';

/** Failed logins of one account from one address before that pair is locked out. */
export const PAIR_FAILURES = 5;
/** Failed logins of one account from all addresses together before the account is locked out. */
export const ACCOUNT_FAILURES = 20;
const FAILURE_WINDOW_SECONDS = 15 * 60;

/**
 * Login throttling, in three counters (Redis when configured, so that every API instance sees the
 * same counts — memory while Redis is down; memory on the embedded default):
 * - every attempt of a client address, before anything is looked up or hashed
 *   (LOGIN_ATTEMPTS_PER_MINUTE);
 * - failures of an account from one address: 5 in 15 minutes lock that pair out;
 * - failures of an account from anywhere: 20 in 15 minutes lock the account out, so that guessing
 *   from many addresses gets no further.
 * An account is the user's id once the name is found (so no spelling of it has a counter of its
 * own), else the normalised name. An admin unlocks an account (unlock()) by moving it to a new
 * generation: its failures are counted under `account#generation`, so the old counters, of every
 * address, no longer count (they run out by themselves).
 */
@Injectable()
export class LoginThrottleService {
  private readonly attempts: RateLimiterAbstract;
  private readonly pairFailures: RateLimiterAbstract;
  private readonly accountFailures: RateLimiterAbstract;
  /** Unlocks per account, never reset: the generation its failures are counted under. */
  private readonly unlocks: RateLimiterAbstract;

  constructor(redis: RedisService, config: AppConfig) {
    const limiter = (name: string, points: number, duration: number): RateLimiterAbstract => {
      const keyPrefix = `${config.QUEUE_PREFIX}:${name}`;
      const memory = new RateLimiterMemory({ points, duration, keyPrefix });
      return redis.client
        ? new RateLimiterRedis({ storeClient: redis.client, points, duration, keyPrefix, insuranceLimiter: memory })
        : memory;
    };
    this.attempts = limiter('login-attempt', config.LOGIN_ATTEMPTS_PER_MINUTE, 60);
    this.pairFailures = limiter('login-fail', PAIR_FAILURES, FAILURE_WINDOW_SECONDS);
    this.accountFailures = limiter('login-fail-account', ACCOUNT_FAILURES, FAILURE_WINDOW_SECONDS);
    this.unlocks = limiter('login-unlock', Number.MAX_SAFE_INTEGER, 0);
  }

  /** Lifts an account's lock-out, from every address: the failures so far no longer count. */
  async unlock(account: string): Promise<void> {
    await this.unlocks.penalty(account, 1);
  }

  /** The key an account's failures are counted under: its generation since the last unlock. */
  private async counted(account: string): Promise<string> {
    const unlocked = await this.unlocks.get(account).catch(() => null);
    return unlocked && unlocked.consumedPoints > 0 ? `${account}#${unlocked.consumedPoints}` : account;
  }

  /** Counts an attempt of this address; the seconds it must wait when over its allowance, else 0. */
  async admitAddress(address: string): Promise<number> {
    try {
      await this.attempts.consume(address);
      return 0;
    } catch (rejected) {
      if (rejected instanceof RateLimiterRes) {
        return Math.ceil(rejected.msBeforeNext / 1000);
      }
      return 0; // the store failed and no insurance answered: let the login through to the other checks
    }
  }

  /** Seconds until this account may try again from this address, or 0 when it may try now. */
  async lockedFor(login: string, address: string): Promise<number> {
    const account = await this.counted(login);
    const [pair, all] = await Promise.all([
      this.pairFailures.get(pairKey(account, address)).catch(() => null),
      this.accountFailures.get(account).catch(() => null),
    ]);
    const wait = (res: RateLimiterRes | null, limit: number) =>
      res && res.consumedPoints >= limit ? Math.ceil(res.msBeforeNext / 1000) : 0;
    return Math.max(wait(pair, PAIR_FAILURES), wait(all, ACCOUNT_FAILURES));
  }

  async recordFailure(login: string, address: string): Promise<void> {
    const account = await this.counted(login);
    // consume() rejects once the points are used up: that is the lock-out itself, not an error.
    await Promise.all([
      this.pairFailures.consume(pairKey(account, address)).catch(() => undefined),
      this.accountFailures.consume(account).catch(() => undefined),
    ]);
  }

  /** After a successful login: this address starts afresh; the account's count runs out by itself. */
  async reset(login: string, address: string): Promise<void> {
    const account = await this.counted(login);
    await this.pairFailures.delete(pairKey(account, address)).catch(() => undefined);
  }
}

const pairKey = (account: string, address: string): string => `${account}|${address}`;

/** The account a user's failed logins count against, once their name is found. */
export const loginAccount = (userId: number): string => `user:${userId}`;
