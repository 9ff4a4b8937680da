import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { isInScope } from '../auth/region-scope.js';
import { PageQuery } from '../common/pagination.js';
import type { Campaign } from '../ledger/campaign.entity.js';
import { CampaignsService } from '../ledger/campaigns.service.js';
import { RegionsService } from '../regions/regions.service.js';

export interface Choice {
  value: string;
  label: string;
}

/** The options of the pages' select boxes: regions within the caller's scope, campaigns. */
@Injectable()
export class ChoicesService {
  constructor(
    private readonly regions: RegionsService,
    private readonly campaigns: CampaignsService,
  ) {}

  /** Sub-districts, and with `villages` their villages indented under each; an officer gets their own only. */
  async regionChoices(user: AuthUser, villages: boolean): Promise<Choice[]> {
    const choices: Choice[] = [];
    for (const district of await this.regions.tree()) {
      for (const sub of district.children) {
        if (!isInScope(user, sub.code)) {
          continue;
        }
        choices.push({ value: sub.code, label: sub.name });
        if (villages) {
          choices.push(...sub.children.map((v) => ({ value: v.code, label: `\u3000${v.name}` })));
        }
      }
    }
    return choices;
  }

  /**
   * Whose figures a page shows and who issues its bulletin: the district (全区, 示范区卫生健康局), or
   * an officer's sub-district (城关街道, 城关街道办事处).
   */
  async scopeOf(user: AuthUser): Promise<{ area: string; name: string; issuer: string; subdistrict: boolean }> {
    const [district] = await this.regions.tree();
    const own = user.role === 'subdistrict_officer' ? district?.children.find((s) => s.code === user.regionCode) : null;
    if (own) {
      return { area: own.name, name: own.name, issuer: `${own.name}办事处`, subdistrict: true };
    }
    const name = district?.name ?? '';
    return { area: '全区', name, issuer: `${name}卫生健康局`, subdistrict: false };
  }

  /** The campaigns, newest first (at most 200: a district runs a few a year). */
  async campaignList(): Promise<Campaign[]> {
    return (await this.campaigns.list(Object.assign(new PageQuery(), { page: 1, pageSize: 200 }))).items;
  }

  /** The campaign asked for, else the newest; null when there is none. */
  async currentCampaign(campaignId: unknown): Promise<{ campaign: Campaign | null; campaigns: Campaign[] }> {
    const campaigns = await this.campaignList();
    const asked = typeof campaignId === 'string' && /^\d+$/.test(campaignId) ? Number(campaignId) : null;
    const campaign = (asked !== null ? campaigns.find((c) => c.id === asked) : undefined) ?? campaigns[0] ?? null;
    return { campaign, campaigns };
  }
}
