import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { PageQuery } from '../common/pagination.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { RegistryChangesService } from './registry-changes.service.js';

/** A household's registry changes written from the poverty office's register (here: the table is this module's). */
@ApiTags('households')
@ApiBearerAuth()
@Controller('api/households')
export class RegistryChangesController {
  constructor(private readonly changes: RegistryChangesService) {}

  /**
   * 登记信息变更: what applying poverty rosters changed in this household — which reconciliation,
   * who, when, before → after — newest first, paged; 404 for a household the caller may not see.
   */
  @Get(':id/registry-changes')
  @Require(Permission.HouseholdsRead)
  list(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Query() query: PageQuery) {
    return this.changes.ofHousehold(user, id, query);
  }
}
