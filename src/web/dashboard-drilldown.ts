import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import type { Campaign } from '../ledger/campaign.entity.js';
import { BurndownService } from '../reports/burndown.service.js';
import type { CampaignProgress, SubdistrictProgress } from '../reports/progress.service.js';
import { type VillageProgress, VillageProgressService } from '../reports/village-progress.service.js';
import { neededRateText } from './burndown-chart.js';

/** A link to 整改台账 with these filters (the list's own parameters, so the page and the API agree). */
export function itemsLink(params: Record<string, string | number>): string {
  return `/items?${new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString()}`;
}

/** The links of one progress row: each figure to the list whose count it is. */
export interface RowLinks {
  total: string;
  closed: string;
  pending: string;
  overdue: string;
}

/** The list filters of a progress row: a sub-district's (regionCode) or, for an officer, a village's (villageCode). */
function rowFilter(
  campaignId: number,
  rowsAre: CampaignProgress['rowsAre'],
  row: SubdistrictProgress,
): Record<string, string | number> {
  return rowsAre === 'village'
    ? { campaignId, villageCode: row.regionCode }
    : { campaignId, regionCode: row.regionCode };
}

export function rowLinks(campaignId: number, rowsAre: CampaignProgress['rowsAre'], row: SubdistrictProgress): RowLinks {
  const filter = rowFilter(campaignId, rowsAre, row);
  return {
    // 全部 (closed=): every status, as the bar and the 问题总数 count them.
    total: itemsLink({ ...filter, closed: '' }),
    closed: itemsLink({ ...filter, closed: 'true' }),
    pending: itemsLink({ ...filter, status: 'pending_review' }),
    overdue: itemsLink({ ...filter, overdue: 'true' }),
  };
}

interface VillageRow extends VillageProgress {
  links: { open: string; overdue: string; closed: string };
}

/** One sub-district's villages, under its street row (a <details> on the 工作台). */
export interface VillageGroup {
  subdistrictCode: string;
  name: string;
  villages: VillageRow[];
  totals: { open: number; overdue: number; closed: number };
}

/**
 * The 工作台's drill-down (issue #17): the links of every progress row, the per-village table under each
 * sub-district, and the 销号燃尽 with the rate needed to reach zero by the deadline.
 */
@Injectable()
export class DashboardDrilldown {
  constructor(
    private readonly villages: VillageProgressService,
    private readonly burndowns: BurndownService,
  ) {}

  async of(user: AuthUser, campaign: Campaign, progress: CampaignProgress) {
    const [villages, burndown] = await Promise.all([
      this.villages.byVillage(user, campaign.id),
      this.burndowns.burndown(user, campaign),
    ]);
    const title = `${campaign.name}：每日未销号问题数`;
    return {
      rowLinks: progress.rows.map((row) => rowLinks(campaign.id, progress.rowsAre, row)),
      villageGroups: groups(campaign.id, progress, villages),
      burndown: {
        chart: burndown.days.length > 0 ? { burndown, title } : null,
        needed: neededRateText(burndown.needed),
        needsRate: burndown.needed.kind === 'per_day',
        perDay: burndown.needed.kind === 'per_day' ? burndown.needed.perDay : null,
      },
    };
  }
}

function groups(campaignId: number, progress: CampaignProgress, villages: VillageProgress[]): VillageGroup[] {
  const nameOf = new Map(progress.rows.map((r) => [r.regionCode, r.name]));
  const bySubdistrict = new Map<string, VillageRow[]>();
  for (const v of villages) {
    // The street row the village's figures add up to, whose list the links narrow.
    const filter = { campaignId, regionCode: v.subdistrictCode, villageCode: v.villageCode };
    const row: VillageRow = {
      ...v,
      links: {
        open: itemsLink({ ...filter, closed: 'false' }),
        overdue: itemsLink({ ...filter, overdue: 'true' }),
        closed: itemsLink({ ...filter, closed: 'true' }),
      },
    };
    bySubdistrict.set(v.subdistrictCode, [...(bySubdistrict.get(v.subdistrictCode) ?? []), row]);
  }
  return [...bySubdistrict].map(([code, rows]) => ({
    subdistrictCode: code,
    name: nameOf.get(code) ?? code,
    villages: rows,
    totals: {
      open: rows.reduce((s, r) => s + r.open, 0),
      overdue: rows.reduce((s, r) => s + r.overdue, 0),
      closed: rows.reduce((s, r) => s + r.closed, 0),
    },
  }));
}
