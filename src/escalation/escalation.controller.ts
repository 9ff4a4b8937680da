import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { PageQuery } from '../common/pagination.js';
import { RunEscalationDto } from './dto/run-escalation.dto.js';
import { EscalationRuns } from './escalation-runs.service.js';
import { EscalationService } from './escalation.service.js';

@ApiTags('escalation')
@ApiBearerAuth()
@Controller('api/escalations')
export class EscalationController {
  constructor(
    private readonly escalation: EscalationService,
    private readonly history: EscalationRuns,
  ) {}

  /**
   * Runs the job now, in the request (admin): for today, for an earlier day (backfill), or as a
   * dry run. Answers `{asOf, escalated, byLevel}`; a second run for the same day raises nothing.
   */
  @Post('run')
  @HttpCode(200)
  @Require(Permission.EscalationsRun)
  run(@CurrentUser() user: AuthUser, @Body() dto: RunEscalationDto) {
    return this.escalation.run({ asOf: dto.asOf, dryRun: dto.dryRun, trigger: 'manual', startedBy: user.id });
  }

  /** The runs, newest first. */
  @Get('runs')
  @Require(Permission.EscalationsRun)
  runs(@Query() query: PageQuery) {
    return this.history.list(query);
  }
}
