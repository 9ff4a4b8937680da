import { Get, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthedRequest, AuthUser } from '../auth/auth-user.js';
import { Public } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { daysBetween } from '../common/dates.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { ESCALATION_LABELS } from '../ledger/item-labels.js';
import { ItemQueries } from '../ledger/item-queries.service.js';
import { PROGRESS_DEFINITIONS } from '../reports/progress-definitions.js';
import { ProgressService } from '../reports/progress.service.js';
import { IndicatorsService } from '../reports/indicators.service.js';
import { StatsService } from '../reports/stats.service.js';
import { WorklistsService } from '../reports/worklists.service.js';
import { indicatorTable } from './indicator-table.js';
import { DashboardDrilldown, type RowLinks } from './dashboard-drilldown.js';
import { ChoicesService } from './choices.service.js';
import { PageController } from './page-controller.decorator.js';
import { RiskFunnelPartial } from './risk-funnel.js';
import { safeNext } from './page-query.js';
import { progressChart } from './progress-chart.js';
import { reviewQueueQuery } from './review-queue.js';

/** 距截止还有 46 天 / 今天截止 / 已逾期 3 天. */
export function countdownText(daysLeft: number): string {
  if (daysLeft > 0) {
    return `距截止还有 ${daysLeft} 天`;
  }
  return daysLeft === 0 ? '今天截止' : `已逾期 ${-daysLeft} 天`;
}

/** Progress rows with the links of their figures (drill-down). */
const withLinks = <R>(rows: R[], links: RowLinks[]) => rows.map((row, i) => ({ ...row, links: links[i] }));

/** `/`: the login form for a visitor, the 工作台 for a signed-in user. */
@PageController()
export class DashboardController {
  constructor(
    private readonly stats: StatsService,
    private readonly progress: ProgressService,
    private readonly choices: ChoicesService,
    private readonly clock: Clock,
    private readonly indicators: IndicatorsService,
    private readonly items: ItemQueries,
    private readonly worklists: WorklistsService,
    private readonly drilldown: DashboardDrilldown,
    private readonly riskFunnel: RiskFunnelPartial,
  ) {}

  @Public()
  @Get()
  async home(@Req() req: AuthedRequest, @Res() res: Response, @Query() query: Record<string, unknown>): Promise<void> {
    if (!req.user) {
      res.render('auth/login', { title: '登录', next: safeNext(query.next), notice: query.next ? '请先登录。' : null });
      return;
    }
    res.render('dashboard/index', await this.dashboard(req.user, query.campaignId));
  }

  private async dashboard(user: AuthUser, campaignId: unknown) {
    const [overview, { campaign, campaigns }, indicators, scope, reviewQueue, todo] = await Promise.all([
      this.stats.overview(user),
      this.choices.currentCampaign(campaignId),
      this.indicators.indicators(user),
      this.choices.scopeOf(user),
      this.reviewQueue(user),
      this.worklists.todo(user),
    ]);
    const today = this.clock.today();
    const progress = campaign ? await this.progress.bySubdistrict(user, campaign.id) : null;
    const daysLeft = campaign ? daysBetween(today, campaign.deadline) : null;
    const unit = progress?.rowsAre === 'village' ? '村（社区）' : '街道';
    const drill = campaign && progress ? await this.drilldown.of(user, campaign, progress) : null;
    return {
      title: '工作台',
      today,
      riskFunnel: await this.riskFunnel.model(user),
      reviewQueue,
      todo,
      overview,
      indicators: indicatorTable(indicators, scope.area),
      campaign,
      campaigns: campaigns.map((c) => ({ id: c.id, name: c.name, selected: c.id === campaign?.id })),
      countdown: daysLeft === null ? null : { text: countdownText(daysLeft), late: daysLeft < 0, soon: daysLeft <= 14 },
      progress: progress && drill ? { ...progress, rows: withLinks(progress.rows, drill.rowLinks) } : progress,
      villageGroups: progress?.rowsAre === 'subdistrict' ? drill?.villageGroups : null,
      burndown: drill?.burndown ?? null,
      progressDefinitions: PROGRESS_DEFINITIONS,
      unit,
      chart: progress
        ? progressChart(
            progress,
            `${campaign!.name}：各${unit}整改销号进度`,
            drill?.rowLinks.map((l) => l.total),
          )
        : null,
      levels: progress
        ? progress.totals.byLevel.map((count, level) => ({ level, label: ESCALATION_LABELS[level], count }))
        : [],
    };
  }

  /** 待审核 for a reviewer: how many close requests wait for them (every campaign), linking to the list. */
  private async reviewQueue(user: AuthUser): Promise<{ count: number } | null> {
    if (!hasPermission(user.role, Permission.ItemsReview)) {
      return null;
    }
    const query = reviewQueueQuery(user.role);
    query.pageSize = 1;
    return { count: (await this.items.list(user, query)).total };
  }
}
