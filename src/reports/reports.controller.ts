import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Min } from 'class-validator';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { IsCalendarDate } from '../common/is-calendar-date.js';
import { IndicatorsService } from './indicators.service.js';
import { ProgressService } from './progress.service.js';
import { StatsService } from './stats.service.js';

export class OverviewQuery {
  @IsOptional()
  @Matches(/^\d{12}$/, { message: 'regionCode must be a 12-digit statistical division code' })
  regionCode?: string;
}

export class IndicatorsQuery {
  /** The day the indicators are computed for; today by default. */
  @IsOptional()
  @IsCalendarDate()
  asOf?: string;
}

export class ProgressQuery {
  @Type(() => Number)
  @IsInt({ message: 'campaignId: 须为整改专项的编号' })
  @Min(1)
  campaignId!: number;
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/stats')
export class ReportsController {
  constructor(
    private readonly stats: StatsService,
    private readonly progress: ProgressService,
    private readonly indicatorsService: IndicatorsService,
  ) {}

  /** 参保率、资助参保率、签约率、规范管理率、血压/血糖控制率、救治率 as of a day, by sub-district and for the district. */
  @Get('indicators')
  @Require(Permission.StatsRead)
  indicators(@CurrentUser() user: AuthUser, @Query() query: IndicatorsQuery) {
    return this.indicatorsService.indicators(user, query.asOf);
  }

  @Get('overview')
  @Require(Permission.StatsRead)
  overview(@CurrentUser() user: AuthUser, @Query() query: OverviewQuery) {
    return this.stats.overview(user, query.regionCode);
  }

  /**
   * A campaign's progress (销号进度): per sub-district (an officer: per village of theirs), closed,
   * closed late, open, overdue and the open items by their level as of today — the dashboard's figures.
   */
  @Get('progress')
  @Require(Permission.StatsRead)
  progressOf(@CurrentUser() user: AuthUser, @Query() query: ProgressQuery) {
    return this.progress.bySubdistrict(user, query.campaignId);
  }
}
