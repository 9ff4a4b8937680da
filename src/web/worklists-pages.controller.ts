import { Get, Param, Query, Render } from '@nestjs/common';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { WORKLIST_DEFINITIONS, WORKLIST_KINDS, WorklistQuery } from '../reports/worklist-kinds.js';
import { WorklistsService } from '../reports/worklists.service.js';
import { PageController } from './page-controller.decorator.js';
import { filterParams, lastPageIfPast, pagerOf, readQuery } from './page-query.js';

/** The village filter's link for the village shown: marked and announced as the current one. */
const chosen = (active: boolean) => ({ state: active ? 'active' : '', current: active ? 'true' : 'false' });

/** 工作清单 (SPEC §6.3): every list with its count, and each list page by page with a village filter. */
@PageController('worklists')
export class WorklistsPagesController {
  constructor(private readonly worklists: WorklistsService) {}

  @Get()
  @Require(Permission.HealthRead)
  @Render('worklists/index')
  async index(@CurrentUser() user: AuthUser) {
    const counts = await this.worklists.counts(user);
    return {
      title: '工作清单',
      lists: WORKLIST_KINDS.map((kind) => ({ ...WORKLIST_DEFINITIONS[kind], count: counts[kind] })),
    };
  }

  @Get(':kind')
  @Require(Permission.HealthRead)
  @Render('worklists/list')
  async list(@CurrentUser() user: AuthUser, @Param('kind') name: string, @Query() raw: Record<string, unknown>) {
    const kind = this.worklists.kindOf(name);
    const query = readQuery(WorklistQuery, raw);
    const [page, villages] = await Promise.all([
      lastPageIfPast(query, (q) => this.worklists.page(user, kind, q, q.page, q.pageSize)),
      this.worklists.byVillage(user, kind, query),
    ]);
    const path = `/worklists/${kind}`;
    const params = filterParams(query as unknown as Record<string, unknown>, ['regionCode', 'asOf', 'sort']);
    const link = (regionCode?: string) => {
      const p = filterParams({ asOf: query.asOf, sort: query.sort, regionCode }, ['regionCode', 'asOf', 'sort']);
      return p.size > 0 ? `${path}?${p.toString()}` : path;
    };
    const xlsx = new URLSearchParams(params);
    xlsx.set('format', 'xlsx');
    return {
      title: WORKLIST_DEFINITIONS[kind].name,
      list: WORKLIST_DEFINITIONS[kind],
      isItems: kind === 'items_due',
      asOf: page.asOf,
      all: { href: link(), ...chosen(!query.regionCode) },
      villages: villages.map((v) => ({ ...v, href: link(v.code), ...chosen(v.code === query.regionCode) })),
      rows: page.items.map((r) => ({ ...r, daysLeft: -r.daysLate, late: r.daysLate > 0 })),
      pager: pagerOf(path, params, page.page, page.pageSize, page.total),
      xlsx: `/api/worklists/${kind}?${xlsx.toString()}`,
    };
  }
}
