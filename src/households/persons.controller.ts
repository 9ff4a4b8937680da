import { Body, Controller, Get, Ip, Param, Patch, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { AccessLogQuery, FullIdNumberQuery, UpdatePersonDto } from './dto/household.dto.js';
import { PersonsService } from './persons.service.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';

@ApiTags('households')
@ApiBearerAuth()
@Controller('api/persons')
export class PersonsController {
  constructor(private readonly persons: PersonsService) {}

  @Get(':id')
  @Require(Permission.PersonsRead)
  get(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number) {
    return this.persons.get(user, id);
  }

  /** The full ID number: a route of its own, for admins and health caseworkers only; `reason` is logged with the reading. */
  @Get(':id/id-number')
  @Require(Permission.IdNumberReadFull)
  fullIdNumber(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Query() query: FullIdNumberQuery,
    @Ip() ip: string,
  ) {
    return this.persons.fullIdNumber(user, id, ip, query.reason ?? null);
  }

  @Patch(':id')
  @Require(Permission.HouseholdsWrite)
  update(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdatePersonDto) {
    return this.persons.update(user, id, dto);
  }
}

@ApiTags('households')
@ApiBearerAuth()
@Controller('api/access-log')
export class AccessLogController {
  constructor(private readonly persons: PersonsService) {}

  /** Who read which full ID number, and when (admins). */
  @Get()
  @Require(Permission.AuditRead)
  list(@Query() query: AccessLogQuery) {
    return this.persons.accessLog(query);
  }
}
