import { Injectable } from '@nestjs/common';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RedisService } from '../common/redis.service.js';

const MAX_FAILURES = 5;
const WINDOW_SECONDS = 15 * 60;

/**
 * Failed logins per (username, address): after 5 failures in 15 minutes the pair is locked out
 * until the window ends. Kept in Redis when configured, so every API instance sees the same
 * count (falls back to memory while Redis is down); in memory on the embedded default.
 */
@Injectable()
export class LoginThrottleService {
  private readonly limiter: RateLimiterAbstract;

  constructor(redis: RedisService) {
    const memory = new RateLimiterMemory({ points: MAX_FAILURES, duration: WINDOW_SECONDS, keyPrefix: 'login-fail' });
    this.limiter = redis.client
      ? new RateLimiterRedis({
          storeClient: redis.client,
          points: MAX_FAILURES,
          duration: WINDOW_SECONDS,
          keyPrefix: 'hpa:login-fail',
          insuranceLimiter: memory,
        })
      : memory;
  }

  private key(username: string, address: string): string {
    return `${username.toLowerCase()}|${address}`;
  }

  /** Seconds until the pair may try again, or 0 when it may try now. */
  async lockedFor(username: string, address: string): Promise<number> {
    const res = await this.limiter.get(this.key(username, address)).catch(() => null);
    return res && res.consumedPoints >= MAX_FAILURES ? Math.ceil(res.msBeforeNext / 1000) : 0;
  }

  async recordFailure(username: string, address: string): Promise<void> {
    // consume() rejects once the points are used up: that is the lock-out itself, not an error.
    await this.limiter.consume(this.key(username, address)).catch(() => undefined);
  }

  async reset(username: string, address: string): Promise<void> {
    await this.limiter.delete(this.key(username, address)).catch(() => undefined);
  }
}
