import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { StatsService } from './stats.service.js';

export class OverviewQuery {
  @IsOptional()
  @Matches(/^\d{12}$/, { message: 'regionCode must be a 12-digit statistical division code' })
  regionCode?: string;
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/stats')
export class ReportsController {
  constructor(private readonly stats: StatsService) {}

  @Get('overview')
  @Require(Permission.StatsRead)
  overview(@CurrentUser() user: AuthUser, @Query() query: OverviewQuery) {
    return this.stats.overview(user, query.regionCode);
  }
}
