import { Get, Query, Render } from '@nestjs/common';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { Clock } from '../common/clock.js';
import { daysBetween } from '../common/dates.js';
import { PageQuery } from '../common/pagination.js';
import { ListItemsQuery } from '../ledger/dto/list-items.dto.js';
import { ESCALATION_LABELS } from '../ledger/item-labels.js';
import { ItemsService } from '../ledger/items.service.js';
import { ProgressService } from '../reports/progress.service.js';
import { StatsService } from '../reports/stats.service.js';
import { ChoicesService } from './choices.service.js';
import { countdownText } from './dashboard.controller.js';
import { PageController } from './page-controller.decorator.js';
import { progressChart } from './progress-chart.js';

/** Overdue items listed in the bulletin (the rest are counted): a bulletin is a few printed pages. */
const OVERDUE_LISTED = 200;

/** 工作简报: a printable report on a campaign from live data (the print stylesheet drops the navigation). */
@PageController('bulletin')
@Require(Permission.StatsRead)
export class BulletinController {
  constructor(
    private readonly stats: StatsService,
    private readonly progress: ProgressService,
    private readonly items: ItemsService,
    private readonly choices: ChoicesService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Render('bulletin/show')
  async show(@CurrentUser() user: AuthUser, @Query('campaignId') campaignId: unknown) {
    const { campaign, campaigns } = await this.choices.currentCampaign(campaignId);
    const today = this.clock.today();
    const base = {
      title: '工作简报',
      bodyClass: 'bulletin-page',
      today,
      campaign,
      campaigns: campaigns.map((c) => ({ id: c.id, name: c.name, selected: c.id === campaign?.id })),
    };
    if (!campaign) {
      return base;
    }
    const overdueQuery = Object.assign(new ListItemsQuery(), {
      campaignId: campaign.id,
      overdue: true,
      page: 1,
      pageSize: OVERDUE_LISTED,
    } satisfies Partial<ListItemsQuery> & Partial<PageQuery>);
    const [overview, progress, overdue] = await Promise.all([
      this.stats.overview(user),
      this.progress.bySubdistrict(user, campaign.id),
      this.items.list(user, overdueQuery),
    ]);
    const daysLeft = daysBetween(today, campaign.deadline);
    return {
      ...base,
      overview,
      progress,
      countdown: countdownText(daysLeft),
      chart: progressChart(progress, `${campaign.name}：各街道整改销号进度`),
      levels: progress.totals.byLevel
        .map((count, level) => ({ level, label: ESCALATION_LABELS[level], count }))
        .filter((l) => l.level > 0),
      overdue: overdue.items,
      overdueMore: overdue.total > overdue.items.length ? overdue.total - overdue.items.length : 0,
      lagging: progress.rows
        .filter((r) => r.total > 0)
        .sort((a, b) => (a.clearanceRate ?? 0) - (b.clearanceRate ?? 0))
        .slice(0, 1)
        .map((r) => r.name)[0],
    };
  }
}
