import { Get, Query, Render } from '@nestjs/common';
import { Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { AccessLogQuery } from '../households/dto/household.dto.js';
import { PersonsService } from '../households/persons.service.js';
import { PageController } from './page-controller.decorator.js';
import { lastPageIfPast, pagerOf, readQuery } from './page-query.js';

/** 身份证查看记录 (admins): every reading of a full ID number, newest first — whose (masked), who, when, why. */
@PageController('system')
export class IdAccessPagesController {
  constructor(private readonly persons: PersonsService) {}

  @Get('id-access')
  @Require(Permission.AuditRead)
  @Render('system/id-access')
  async list(@Query() raw: Record<string, unknown>) {
    const query = readQuery(AccessLogQuery, raw);
    const page = await lastPageIfPast(query, (q) => this.persons.accessLog(q));
    return {
      title: '身份证号查看记录',
      entries: page.items,
      pager: pagerOf('/system/id-access', new URLSearchParams(), page.page, page.pageSize, page.total),
    };
  }
}
