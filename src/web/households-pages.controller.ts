import { Get, Param, Query, Render } from '@nestjs/common';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { ListHouseholdsQuery } from '../households/dto/household.dto.js';
import { HealthProfileService } from '../health/health-profile.service.js';
import { HouseholdsService } from '../households/households.service.js';
import { ChoicesService } from './choices.service.js';
import { MemberHealthForms } from './member-health.js';
import { HOUSEHOLD_STATUS_LABELS } from '../households/household-labels.js';
import { optionsOf } from './labels.js';
import { PageController } from './page-controller.decorator.js';
import { filterParams, pagerOf, readQuery } from './page-query.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { PageQuery } from '../common/pagination.js';
import { RegistryChangesService } from '../reconciliation/registry-changes.service.js';
import { REGISTRY_CHANGE_LABELS, registryStateText } from '../reconciliation/registry-change-labels.js';

/** The registry changes a household page lists (the newest; the API pages through all of them). */
const CHANGES_SHOWN = 50;

const FILTERS = ['regionCode', 'status', 'q'] as const;

/** 贫困户: the registry list and a household's profile (IDs masked, as everywhere). */
@PageController('households')
@Require(Permission.HouseholdsRead)
export class HouseholdsPagesController {
  constructor(
    private readonly households: HouseholdsService,
    private readonly profiles: HealthProfileService,
    private readonly choices: ChoicesService,
    private readonly registryChanges: RegistryChangesService,
    private readonly healthForms: MemberHealthForms,
  ) {}

  @Get()
  @Render('households/list')
  async list(@CurrentUser() user: AuthUser, @Query() raw: Record<string, unknown>) {
    const query = readQuery(ListHouseholdsQuery, raw);
    const [page, regions] = await Promise.all([
      this.households.list(user, query),
      this.choices.regionChoices(user, true),
    ]);
    const params = filterParams(query as unknown as Record<string, unknown>, FILTERS);
    return {
      title: '贫困户',
      filters: { regionCode: query.regionCode ?? '', status: query.status ?? '', q: query.q ?? '' },
      regions,
      statuses: optionsOf(HOUSEHOLD_STATUS_LABELS),
      households: page.items,
      pager: pagerOf('/households', params, page.page, page.pageSize, page.total),
    };
  }

  @Get(':id')
  @Render('households/show')
  async show(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Query('health') done: unknown) {
    const household = await this.healthForms.decorate(user, await this.profiles.forHousehold(user, id), { done });
    const changes = await this.registryChanges.ofHousehold(
      user,
      id,
      Object.assign(new PageQuery(), { page: 1, pageSize: CHANGES_SHOWN }),
    );
    // The reconciliation is a link for those who work with the poverty register; the others read its number.
    const linked = hasPermission(user.role, Permission.PovertyReconciliationsRun);
    return {
      title: `户 ${household.registryNo}`,
      household,
      patients: household.members.filter((m) => m.conditions.length > 0).length,
      registryChanges: changes.items.map((c) => ({
        ...c,
        linked,
        changeLabel: c.direction === 'out' ? '迁出本户' : REGISTRY_CHANGE_LABELS[c.change],
        beforeText: registryStateText(c.change, c.before),
        afterText: registryStateText(c.change, c.after),
        who: c.changedByName ?? `用户 #${c.changedById}`,
      })),
      registryChangesMore: changes.total > changes.items.length ? changes.total : null,
    };
  }
}
