import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import {
  CreateHouseholdDto,
  CreateMemberDto,
  ListHouseholdsQuery,
  UpdateHouseholdDto,
} from '../households/dto/household.dto.js';
import { HouseholdsService } from '../households/households.service.js';
import { HealthProfileService } from './health-profile.service.js';

/** 贫困户 over the API: here rather than in households/ because a household's profile includes its health records. */
@ApiTags('households')
@ApiBearerAuth()
@Controller('api/households')
export class HouseholdsController {
  constructor(
    private readonly households: HouseholdsService,
    private readonly profiles: HealthProfileService,
  ) {}

  @Get()
  @Require(Permission.HouseholdsRead)
  list(@CurrentUser() user: AuthUser, @Query() query: ListHouseholdsQuery) {
    return this.households.list(user, query);
  }

  @Post()
  @Require(Permission.HouseholdsWrite)
  async create(@CurrentUser() user: AuthUser, @Body() dto: CreateHouseholdDto) {
    return this.profiles.forHousehold(user, await this.households.create(user, dto));
  }

  @Get(':id')
  @Require(Permission.HouseholdsRead)
  get(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number) {
    return this.profiles.forHousehold(user, id);
  }

  @Patch(':id')
  @Require(Permission.HouseholdsWrite)
  async update(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdateHouseholdDto) {
    await this.households.update(user, id, dto);
    return this.profiles.forHousehold(user, id);
  }

  @Post(':id/members')
  @Require(Permission.HouseholdsWrite)
  addMember(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: CreateMemberDto) {
    return this.households.addMember(user, id, dto);
  }
}
