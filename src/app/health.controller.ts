import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth-user.js';
import { RedisService } from '../common/redis.service.js';

type Part = 'up' | 'down' | 'disabled';

@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly redis: RedisService,
  ) {}

  /**
   * 200 `ok` when everything answers, 200 `degraded` when only Redis is down (the API still
   * serves; queued work waits), 503 `down` when the database does not answer.
   */
  @Public()
  @Get()
  async health(@Res({ passthrough: true }) res: Response) {
    const [database, redis] = await Promise.all([this.databaseStatus(), this.redis.status()]);
    const status = database === 'down' ? 'down' : redis === 'down' ? 'degraded' : 'ok';
    res.status(status === 'down' ? 503 : 200);
    return { status, database, redis, dbType: this.db.options.type };
  }

  private async databaseStatus(): Promise<Part> {
    try {
      await this.db.query('SELECT 1');
      return 'up';
    } catch {
      return 'down';
    }
  }
}
