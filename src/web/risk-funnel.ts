import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { Clock } from '../common/clock.js';
import { type Funnel, RiskAlertsService } from '../risk/risk-alerts.service.js';

/**
 * The 因病返贫致贫 funnel the 工作台 (views/partials/risk-funnel.hbs) and the bulletin (a sentence) show:
 * the latest year with thresholds up to this one; null before any are set. Counts only, so every
 * reader of the dashboard may see it; the link to the page is for those who may open it. A user of
 * one sub-district sees that sub-district's row alone, as its total (no district, no 未建档人员).
 */
@Injectable()
export class RiskFunnelPartial {
  constructor(
    private readonly alerts: RiskAlertsService,
    private readonly clock: Clock,
  ) {}

  async model(user: AuthUser): Promise<(Funnel & { href: string | null }) | null> {
    const year = await this.alerts.latestYear(Number(this.clock.today().slice(0, 4)));
    if (year === null) {
      return null;
    }
    const funnel = await this.alerts.funnel(year);
    const href = hasPermission(user.role, Permission.RiskRead) ? `/risk?year=${year}` : null;
    if (user.regionCode === null) {
      return { ...funnel, href };
    }
    const own = funnel.byRegion.find((r) => r.regionCode === user.regionCode);
    return own ? { year, district: own, byRegion: [], href } : null;
  }
}
