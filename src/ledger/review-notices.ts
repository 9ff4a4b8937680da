import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Department } from './item.entity.js';

/** A step of 销号审核 that someone is told of (SPEC §6.2). */
export interface ReviewNotice {
  /** close_requested: to the reviewers of the item's department; close_rejected: to the requester. */
  kind: 'close_requested' | 'close_rejected';
  item: { id: number; title: string; regionCode: string; responsibleDept: Department; escalationLevel: number };
  /** The user who requested the 销号 (told of a rejection; never told of their own request). */
  requesterId: number;
  /** Who acted: the requester, or the reviewer who rejected. */
  actorName: string;
  /** The resolution requested, or the reviewer's comment. */
  note: string;
  /** The evidence files the request names. */
  evidenceCount: number;
  /** The instant of the step (ISO). */
  at: string;
}

/** Writes the notices of a review step inside the caller's transaction (the notifications module). */
export type ReviewNotifier = (em: EntityManager, notice: ReviewNotice) => Promise<void>;

/**
 * The notices of close requests and rejections. The notifications module sits above the ledger, so
 * it registers its sender here at start (as with ItemLevels.useNotifier) instead of the ledger
 * importing it; without one (a context without notifications), nothing is sent.
 */
@Injectable()
export class ReviewNotices {
  private notifier: ReviewNotifier | null = null;

  /** Called once by the notifications module at start. */
  useNotifier(notifier: ReviewNotifier): void {
    this.notifier = notifier;
  }

  async send(em: EntityManager, notice: ReviewNotice): Promise<void> {
    await this.notifier?.(em, notice);
  }
}
