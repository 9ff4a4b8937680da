import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { PageQuery } from '../common/pagination.js';
import { CheckRuns } from './check-runs.service.js';
import { ChecksService } from './checks.service.js';
import { RunChecksDto } from './dto/run-checks.dto.js';

@ApiTags('checks')
@ApiBearerAuth()
@Controller('api/checks')
export class ChecksController {
  constructor(
    private readonly checks: ChecksService,
    private readonly history: CheckRuns,
  ) {}

  /** 查漏补缺: evaluates the gap rules as of `asOf` and files the gaps into the campaign (`dryRun`: counts and the first items, nothing filed). */
  @Post('run')
  @HttpCode(200)
  @Require(Permission.ChecksRun)
  run(@CurrentUser() user: AuthUser, @Body() dto: RunChecksDto) {
    return this.checks.run(user, dto.campaignId, dto.asOf, dto.dryRun);
  }

  /** The runs (dry runs included), newest first, each with its status. */
  @Get('runs')
  @Require(Permission.ChecksRun)
  runs(@Query() query: PageQuery) {
    return this.history.list(query);
  }
}
