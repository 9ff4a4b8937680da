import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { worklistFileName, writeWorklist } from './worklist-export.js';
import { WorklistQuery } from './worklist-kinds.js';
import { WorklistsService } from './worklists.service.js';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/worklists')
export class WorklistsController {
  constructor(private readonly worklists: WorklistsService) {}

  /**
   * 工作清单 (SPEC §6.3): a page of the list, most urgent first, or with `format=xlsx` every row as
   * a workbook. An unknown kind is 404.
   */
  @Get(':kind')
  @Require(Permission.HealthRead)
  async list(
    @CurrentUser() user: AuthUser,
    @Param('kind') name: string,
    @Query() query: WorklistQuery,
    @Res() res: Response,
  ): Promise<void> {
    const kind = this.worklists.kindOf(name);
    if (query.format !== 'xlsx') {
      res.json(await this.worklists.page(user, kind, query, query.page, query.pageSize));
      return;
    }
    const { asOf, rows } = await this.worklists.all(user, kind, query);
    res.attachment(worklistFileName(kind, asOf));
    await writeWorklist(kind, rows, res);
  }
}
