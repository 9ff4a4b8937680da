import { Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Campaign } from './campaign.entity.js';
import { currentLevelSql, type EscalationThresholds } from './escalation-policy.js';
import type { Department } from './item.entity.js';

/** One escalation step of one item, as the notices about it need it. */
export interface EscalationStep {
  itemId: number;
  title: string;
  regionCode: string;
  responsibleDept: Department;
  deadline: string;
  /** The level reached (1 … 4); the notice is that level's. */
  level: number;
  /**
   * 销号 requested and waiting for review (pending_review): the deadline is for 销号, so the item
   * keeps escalating, and its notices go to the reviewers instead of the sub-district (SPEC §6.2).
   */
  pendingReview?: boolean;
}

/** Sends the notices of escalation steps inside the caller's transaction (the notifications module). */
export type StepNotifier = (em: EntityManager, steps: EscalationStep[], asOf: string) => Promise<void>;

/**
 * The items' levels as the pages show them: each campaign's thresholds, the current level as SQL for
 * filters and counts, and the notices for items that are filed already due. The notifications module
 * sits above the ledger, so it registers its sender here instead of the ledger importing it.
 */
@Injectable()
export class ItemLevels {
  private notifier: StepNotifier | null = null;

  constructor(private readonly clock: Clock) {}

  /** Called once by the notifications module at start. */
  useNotifier(notifier: StepNotifier): void {
    this.notifier = notifier;
  }

  /** Notices for items escalated as they were filed, in the filing's transaction (none before a notifier registered). */
  async notify(em: EntityManager, steps: EscalationStep[], asOf: string): Promise<void> {
    if (steps.length > 0 && this.notifier) {
      await this.notifier(em, steps, asOf);
    }
  }

  /** Each campaign's thresholds (all campaigns, or those named): campaigns are few, items many. */
  async thresholds(em: EntityManager, ids?: readonly number[]): Promise<Map<number, EscalationThresholds>> {
    if (ids && ids.length === 0) {
      return new Map();
    }
    const campaigns = await em.find(Campaign, {
      select: { id: true, reminderDays: true, warningDays: true, supervisedDays: true },
      ...(ids ? { where: { id: In([...ids]) } } : {}),
    });
    return new Map(
      campaigns.map(({ id, reminderDays, warningDays, supervisedDays }) => [
        id,
        { reminderDays, warningDays, supervisedDays },
      ]),
    );
  }

  /** The current level of items alias `alias` today, as SQL (see currentLevelSql). */
  async levelSql(em: EntityManager, alias: string, campaignIds?: readonly number[]): Promise<string> {
    return currentLevelSql(alias, await this.thresholds(em, campaignIds), this.clock.today());
  }
}
