import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';

/**
 * The shared Redis connection when REDIS_URL is set (null otherwise). Commands fail fast while
 * Redis is down (no offline queue) so that callers can degrade instead of hanging; ioredis keeps
 * reconnecting in the background and the service recovers without a restart.
 */
@Injectable()
export class RedisService implements OnModuleDestroy {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis | null;

  constructor(config: AppConfig) {
    this.client = config.REDIS_URL
      ? new Redis(config.REDIS_URL, {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 1,
          retryStrategy: (attempt) => Math.min(attempt * 200, 5000),
        })
      : null;
    this.client?.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
  }

  /** 'up', 'down', or 'disabled' when no REDIS_URL is configured. */
  async status(): Promise<'up' | 'down' | 'disabled'> {
    if (!this.client) {
      return 'disabled';
    }
    try {
      const pong = await Promise.race([
        this.client.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000).unref()),
      ]);
      return pong === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  onModuleDestroy(): void {
    this.client?.disconnect();
  }
}
