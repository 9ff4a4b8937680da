import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { Attachment } from './attachment.entity.js';
import { Campaign } from './campaign.entity.js';
import type { CloseItemDto, ReviewItemDto } from './dto/item-actions.dto.js';
import { ItemChanges } from './item-changes.js';
import type { ItemDetail } from './item-views.js';
import type { Item } from './item.entity.js';
import type { LedgerEntry } from './ledger-entry.entity.js';
import { type LedgerActor, ledgerActorOf } from './ledger.service.js';
import { LedgerError, LedgerErrorCode } from './ledger.errors.js';
import { ReviewNotices } from './review-notices.js';

/** 销号 and 销号审核 (SPEC §2 life cycle, §6.2): the close, the close request, and its review. */
@Injectable()
export class ItemClosure {
  constructor(
    private readonly clock: Clock,
    private readonly changes: ItemChanges,
    private readonly notices: ReviewNotices,
  ) {}

  /**
   * 销号. With the campaign's closeReview off, the item closes at once and leaves the open keys, so the
   * same gap may be filed again later. With it on (SPEC §6.2), the item waits as pending_review (待审核)
   * for its department: the `close_requested` entry carries the resolution and the sha256 of every
   * attachment the item holds (the evidence reviewed), which the campaign may require at least one of;
   * the department's reviewers are told. An item of a risk alert (source `risk_alert`, SPEC §6.6)
   * closes only with an `outcome`, which no other item takes (400 naming `outcome`).
   */
  close(user: AuthUser, id: number, dto: CloseItemDto): Promise<ItemDetail> {
    let review: Pick<Campaign, 'closeReview' | 'evidenceRequired'> = { closeReview: false, evidenceRequired: false };
    let evidence: string[] = [];
    const now = this.clock.now();
    const outcome = dto.outcome ?? null;
    const withOutcome = outcome ? { outcome } : {};
    return this.changes.apply(user, id, {
      name: 'close',
      version: dto.version,
      check: (_em, item, { names }) => {
        assertOutcome(item, dto);
        if (!names.campaign) {
          throw new Error(`campaign ${item.campaignId} of item ${item.id} not found`);
        }
        review = names.campaign;
      },
      set: () =>
        review.closeReview
          ? {
              status: 'pending_review',
              resolution: dto.resolution,
              outcome,
              closeRequestedAt: now,
              closeRequestedById: user.id,
            }
          : {
              status: 'closed',
              resolution: dto.resolution,
              outcome,
              closedAt: now,
              closedOn: this.clock.dateOf(now),
              openKey: null,
            },
      entry: async (_item, em) => {
        if (!review.closeReview) {
          return { type: 'closed', note: dto.resolution, payload: { status: 'closed', ...withOutcome } };
        }
        evidence = await this.evidenceOf(em, id);
        if (review.evidenceRequired && evidence.length === 0) {
          throw new LedgerError(
            LedgerErrorCode.EvidenceMissing,
            `item ${id} has no attachment; its campaign requires evidence before 销号 is requested (POST /api/items/${id}/attachments)`,
            'attachments',
          );
        }
        return {
          type: 'close_requested',
          note: dto.resolution,
          payload: { status: 'pending_review', evidence, ...withOutcome },
        };
      },
      after: async (em, item) => {
        if (review.closeReview) {
          await this.notices.send(em, {
            kind: 'close_requested',
            item,
            requesterId: user.id,
            actorName: user.displayName,
            note: dto.resolution,
            evidenceCount: evidence.length,
            at: now.toISOString(),
          });
        }
      },
    });
  }

  /**
   * 销号审核 (SPEC §6.2), by the item's department or an admin, never by the requester: approve closes
   * the item (a `closed` entry naming requester and reviewer); reject returns it to in_progress with
   * the comment (`close_rejected`) and tells the requester. Either way the request is over: its
   * columns are cleared (the ledger keeps it).
   */
  review(user: AuthUser, id: number, dto: ReviewItemDto): Promise<ItemDetail> {
    const approve = dto.decision === 'approve';
    const comment = dto.comment || null;
    const now = this.clock.now();
    const over = { closeRequestedAt: null, closeRequestedById: null };
    return this.changes.apply(user, id, {
      name: 'review',
      version: dto.version,
      set: () =>
        approve
          ? { ...over, status: 'closed', closedAt: now, closedOn: this.clock.dateOf(now), openKey: null }
          : { ...over, status: 'in_progress', resolution: null, outcome: null },
      entry: (item, _em, { entries }) => {
        const requestedBy = this.requesterOf(item, entries);
        return approve
          ? {
              type: 'closed',
              note: comment,
              payload: { status: 'closed', requestedBy, reviewedBy: ledgerActorOf(user) },
            }
          : { type: 'close_rejected', note: comment, payload: { status: 'in_progress', requestedBy } };
      },
      after: async (em, item) => {
        if (!approve && item.closeRequestedById !== null) {
          await this.notices.send(em, {
            kind: 'close_rejected',
            item,
            requesterId: item.closeRequestedById,
            actorName: user.displayName,
            note: comment ?? '',
            evidenceCount: 0,
            at: now.toISOString(),
          });
        }
      },
    });
  }

  /** The sha256 of each attachment of the item, oldest first: the evidence a close request names. */
  private async evidenceOf(em: EntityManager, itemId: number): Promise<string[]> {
    const rows = await em.find(Attachment, {
      select: { id: true, sha256: true },
      where: { itemId },
      order: { id: 'ASC' },
    });
    return rows.map((a) => a.sha256);
  }

  /** Who requested the pending 销号: the item's closeRequestedById, named as its last `close_requested` entry names them. */
  private requesterOf(item: Item, entries: readonly LedgerEntry[]): LedgerActor {
    const request = entries.filter((e) => e.type === 'close_requested').at(-1);
    return { id: item.closeRequestedById, name: request?.actorName ?? '' };
  }
}

/** A risk alert's item closes with an outcome; no other item takes one (SPEC §6.6). */
function assertOutcome(item: Item, dto: CloseItemDto): void {
  if (item.source === 'risk_alert' && !dto.outcome) {
    throw new AppError(
      ErrorCode.Invalid,
      `item ${item.id} is a risk alert: closing it needs an outcome (monitored, assisted, low_income or no_risk)`,
      'outcome',
    );
  }
  if (item.source !== 'risk_alert' && dto.outcome) {
    throw new AppError(ErrorCode.Invalid, `item ${item.id} is not a risk alert: it takes no outcome`, 'outcome');
  }
}
