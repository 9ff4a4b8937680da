import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope } from '../auth/region-scope.js';
import { Clock } from '../common/clock.js';
import { addDays, daysBetween } from '../common/dates.js';
import { Item } from '../ledger/item.entity.js';
import { LedgerEntry } from '../ledger/ledger-entry.entity.js';

/** Open items (未销号, 待审核 included) at the end of one day. */
export interface BurndownDay {
  date: string;
  open: number;
}

/**
 * What it takes to reach zero by the deadline: `perDay` closes a day from today on (the open items
 * over the days left, rounded up), or why there is no such rate.
 */
export type NeededRate =
  | { kind: 'cleared' }
  | { kind: 'per_day'; perDay: number; open: number; daysLeft: number }
  | { kind: 'today'; open: number }
  | { kind: 'past_deadline'; open: number; daysLate: number };

export interface Burndown {
  campaignId: number;
  deadline: string;
  asOf: string;
  /** One point a day from the first item's filing to today (empty before any). */
  days: BurndownDay[];
  needed: NeededRate;
}

/** Ledger entries that change whether an item is open: filed, 销号, reopened. */
const OPENS = { created: 1, reopened: 1, closed: -1 } as const;

/**
 * 销号燃尽: how many of a campaign's items were open at the end of each day since the first was filed,
 * from the ledger — one grouped query of the filing, 销号 and reopening entries by hour (the ledger
 * keeps UTC instants; an hour maps to one calendar day in APP_TIMEZONE, summer time included), then a
 * running sum. Scoped like every list; entries after today (a pinned clock) are left out.
 */
@Injectable()
export class BurndownService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  async burndown(user: AuthUser, campaign: { id: number; deadline: string }): Promise<Burndown> {
    const today = this.clock.today();
    const hour = 'SUBSTR(e.at, 1, 13)';
    const qb = this.db
      .createQueryBuilder()
      .from(LedgerEntry, 'e')
      .innerJoin(Item, 'i', 'i.id = e.itemId')
      .select('e.type', 'type')
      .addSelect(hour, 'hour')
      .addSelect('COUNT(*)', 'n')
      .where('i.campaignId = :campaignId', { campaignId: campaign.id })
      .andWhere('e.type IN (:...types)', { types: Object.keys(OPENS) });
    applyRegionScope(qb, 'i.regionCode', user, undefined, 'subdistrict');
    const rows = await qb.groupBy('e.type').addGroupBy(hour).getRawMany<{ type: string; hour: string; n: string }>();
    const change = new Map<string, number>();
    for (const row of rows) {
      const day = this.clock.dateOf(new Date(`${row.hour}:00:00Z`));
      if (day <= today) {
        change.set(day, (change.get(day) ?? 0) + OPENS[row.type as keyof typeof OPENS] * Number(row.n));
      }
    }
    const first = [...change.keys()].sort()[0];
    const days: BurndownDay[] = [];
    let open = 0;
    for (let date = first; date !== undefined && date <= today; date = addDays(date, 1)) {
      open += change.get(date) ?? 0;
      days.push({ date, open });
    }
    return {
      campaignId: campaign.id,
      deadline: campaign.deadline,
      asOf: today,
      days,
      needed: neededRate(open, today, campaign.deadline),
    };
  }
}

/** The closes a day that reach zero by the deadline, from `open` items on `today`. */
export function neededRate(open: number, today: string, deadline: string): NeededRate {
  const daysLeft = daysBetween(today, deadline);
  if (open === 0) {
    return { kind: 'cleared' };
  }
  if (daysLeft < 0) {
    return { kind: 'past_deadline', open, daysLate: -daysLeft };
  }
  if (daysLeft === 0) {
    return { kind: 'today', open };
  }
  return { kind: 'per_day', perDay: Math.ceil(open / daysLeft), open, daysLeft };
}
