import { Get, Query, Render } from '@nestjs/common';
import dayjs from 'dayjs';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { Clock } from '../common/clock.js';
import { daysBetween } from '../common/dates.js';
import { PageQuery } from '../common/pagination.js';
import { ListItemsQuery } from '../ledger/dto/list-items.dto.js';
import { ESCALATION_LABELS } from '../ledger/item-labels.js';
import { ItemQueries } from '../ledger/item-queries.service.js';
import { PROGRESS_DEFINITIONS } from '../reports/progress-definitions.js';
import { ProgressService, type SubdistrictProgress } from '../reports/progress.service.js';
import { IndicatorsService } from '../reports/indicators.service.js';
import { StatsService } from '../reports/stats.service.js';
import { indicatorTable } from './indicator-table.js';
import { ChoicesService } from './choices.service.js';
import { countdownText } from './dashboard.controller.js';
import { PageController } from './page-controller.decorator.js';
import { RiskFunnelPartial } from './risk-funnel.js';
import { filterParams } from './page-query.js';
import { progressChart } from './progress-chart.js';

/** Supervised (督办) items listed in the bulletin, most overdue first; the full list is the Excel download. */
const SUPERVISED_LISTED = 10;
const SUPERVISED = 4;

/** 期号: the bulletin comes out weekly, so by default its number is the week of the year (第21期). */
function issueOf(raw: unknown, today: string): number {
  if (typeof raw === 'string' && /^\d{1,3}$/.test(raw) && Number(raw) > 0) {
    return Number(raw);
  }
  const day = dayjs(today);
  return Math.floor(day.diff(day.startOf('year'), 'day') / 7) + 1;
}

/**
 * Who is behind, among two or more with items ("the lowest" of one sub-district says nothing):
 * 北辰街道, or when several share the lowest rate 柳树村、西关村 / 柳树村等5个村（社区）.
 */
export function laggingText(rows: readonly SubdistrictProgress[], unit: string): string | null {
  if (rows.length < 2) {
    return null;
  }
  const lowest = Math.min(...rows.map((r) => r.clearanceRate ?? 0));
  const names = rows.filter((r) => (r.clearanceRate ?? 0) === lowest).map((r) => r.name);
  if (names.length === rows.length) {
    return null;
  }
  return names.length <= 3 ? names.join('、') : `${names[0]}等${names.length}个${unit}`;
}

/**
 * 工作简报: a printable report on a campaign from live data (the print stylesheet drops the
 * navigation). An officer's bulletin is their sub-district's: titled with its name and comparing
 * its villages; the district's compares the sub-districts.
 */
@PageController('bulletin')
@Require(Permission.StatsRead)
export class BulletinController {
  constructor(
    private readonly stats: StatsService,
    private readonly progress: ProgressService,
    private readonly items: ItemQueries,
    private readonly choices: ChoicesService,
    private readonly clock: Clock,
    private readonly indicators: IndicatorsService,
    private readonly riskFunnel: RiskFunnelPartial,
  ) {}

  @Get()
  @Render('bulletin/show')
  async show(@CurrentUser() user: AuthUser, @Query('campaignId') campaignId: unknown, @Query('issue') issue: unknown) {
    const [{ campaign, campaigns }, scope] = await Promise.all([
      this.choices.currentCampaign(campaignId),
      this.choices.scopeOf(user),
    ]);
    const today = this.clock.today();
    const base = {
      title: `${scope.subdistrict ? scope.name : ''}工作简报`,
      bodyClass: 'bulletin-page',
      today,
      scope,
      issue: issueOf(issue, today),
      campaign,
      campaigns: campaigns.map((c) => ({ id: c.id, name: c.name, selected: c.id === campaign?.id })),
    };
    if (!campaign) {
      return base;
    }
    const supervisedQuery = Object.assign(new ListItemsQuery(), {
      campaignId: campaign.id,
      closed: false,
      level: SUPERVISED,
      page: 1,
      pageSize: SUPERVISED_LISTED,
    } satisfies Partial<ListItemsQuery> & Partial<PageQuery>);
    const [overview, progress, supervised, indicators] = await Promise.all([
      this.stats.overview(user),
      this.progress.bySubdistrict(user, campaign.id),
      this.items.list(user, supervisedQuery),
      this.indicators.indicators(user),
    ]);
    const daysLeft = daysBetween(today, campaign.deadline);
    const unit = progress.rowsAre === 'village' ? '村（社区）' : '街道';
    const compared = progress.rows.filter((r) => r.total > 0);
    const exportParams = filterParams({ campaignId: campaign.id, closed: 'false', level: SUPERVISED, format: 'xlsx' }, [
      'campaignId',
      'closed',
      'level',
      'format',
    ]);
    return {
      ...base,
      overview,
      indicators: indicatorTable(indicators, base.scope.area),
      progress,
      progressDefinitions: PROGRESS_DEFINITIONS,
      unit,
      countdown: countdownText(daysLeft),
      chart: progressChart(progress, `${campaign.name}：各${unit}整改销号进度`),
      levels: progress.totals.byLevel
        .map((count, level) => ({ level, label: ESCALATION_LABELS[level], count }))
        .filter((l) => l.level > 0),
      supervised: supervised.items,
      supervisedTotal: supervised.total,
      supervisedMore: Math.max(supervised.total - supervised.items.length, 0),
      supervisedExport: `/api/items/export?${exportParams.toString()}`,
      lagging: laggingText(compared, unit),
      riskFunnel: await this.riskFunnel.model(user),
    };
  }
}
