import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { performance } from 'node:perf_hooks';
import { DataSource, type EntityManager, In, QueryFailedError } from 'typeorm';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { addDays, isCalendarDate } from '../common/dates.js';
import { inTransaction } from '../database/transaction.js';
import { inPairs, raiseLevels } from './escalation-batches.js';
import { Campaign } from '../ledger/campaign.entity.js';
import { ESCALATION_LABELS } from '../ledger/item-labels.js';
import { Item, MAX_ESCALATION_LEVEL } from '../ledger/item.entity.js';
import { LedgerService, SYSTEM_ACTOR } from '../ledger/ledger.service.js';
import {
  type EscalationStep,
  NotificationsService,
  type RecipientDirectory,
} from '../notifications/notifications.service.js';
import {
  ESCALATION_LEVELS,
  type EscalationLevel,
  type EscalationThresholds,
  levelFor,
} from '../ledger/escalation-policy.js';
import type { EscalationTrigger } from './escalation-run.entity.js';
import { type ByLevel, EscalationRuns, type RunSummary } from './escalation-runs.service.js';

export interface RunRequest {
  /** Default: today in APP_TIMEZONE. A day after today only for a dry run (levels never go down). */
  asOf?: string;
  trigger: EscalationTrigger;
  /** The admin who asked; null for the schedule. */
  startedBy?: number | null;
  /** Count what would change and write nothing but the run's record. */
  dryRun?: boolean;
}

/** The answer of POST /api/escalations/run (SPEC §3), with the run's id and duration. */
export interface RunResult extends RunSummary {
  runId: number;
  durationMs: number;
  /** A dry run's first items that would go up (empty for a real run): the counts cover them all. */
  preview: PreviewRow[];
}

/** An item a dry run would raise, from its level to the one it reaches. */
export interface PreviewRow {
  itemId: number;
  title: string;
  regionCode: string;
  deadline: string;
  from: number;
  to: EscalationLevel;
}

/** Items a dry run shows one by one. */
export const PREVIEW_ROWS = 20;

/** Items per batch: read by id windows of this size, each batch raised in one transaction. */
export const ESCALATION_BATCH = 5000;
const ATTEMPTS_PER_BATCH = 3;

/** A window of the walk: ids `from` ≤ id < `to`, deadlines up to `horizon`, for the day `asOf`. */
interface Window {
  from: number;
  to: number;
  horizon: string;
  asOf: string;
}

/** An item of a window that may be due, with what its step needs (its chain tail among them). */
type Candidate = Pick<
  Item,
  | 'id'
  | 'campaignId'
  | 'title'
  | 'regionCode'
  | 'responsibleDept'
  | 'deadline'
  | 'escalationLevel'
  | 'status'
  | 'ledgerSeq'
  | 'ledgerHash'
>;

/** A candidate as the driver returns it (a few drivers give integers as strings). */
type CandidateRow = { [K in keyof Candidate]: Candidate[K] extends number ? number | string : Candidate[K] };

/** An item that goes up, and the level it reaches. */
interface Step {
  item: Candidate;
  to: EscalationLevel;
}

/**
 * The May-deadline job (SPEC §2): raises every item that is not closed (pending_review included: the
 * deadline is for 销号, SPEC §6.2) to the level its deadline
 * has reached on `asOf`, one `escalated` ledger entry and one notice per recipient for each item
 * raised, set-based and in batches. Idempotent: a second run for the same day, or a run beside it
 * on another worker, finds nothing left to raise, because each batch reads the levels under a row
 * lock, in the transaction that raises them, and its UPDATE only raises (`escalationLevel < target`).
 */
@Injectable()
export class EscalationService {
  private readonly logger = new Logger(EscalationService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly notifications: NotificationsService,
    private readonly runs: EscalationRuns,
  ) {}

  async run(request: RunRequest): Promise<RunResult> {
    const today = this.clock.today();
    const asOf = request.asOf ?? today;
    const dryRun = request.dryRun ?? false;
    if (!isCalendarDate(asOf)) {
      throw new AppError(ErrorCode.Invalid, 'asOf must be a date written YYYY-MM-DD', 'asOf');
    }
    if (!dryRun && asOf > today) {
      throw new AppError(
        ErrorCode.Invalid,
        `asOf ${asOf} is after today (${today}); levels never go down, so only a dry run may look ahead`,
        'asOf',
      );
    }
    const trigger: EscalationTrigger = request.trigger === 'manual' && asOf < today ? 'backfill' : request.trigger;
    const started = performance.now();
    const runId = await this.runs.start({ asOf, trigger, startedBy: request.startedBy ?? null, dryRun });
    try {
      const { counts: byLevel, preview } = await this.escalate(runId, asOf, dryRun);
      const escalated = ESCALATION_LEVELS.reduce((sum, level) => sum + byLevel[level], 0);
      const durationMs = Math.round(performance.now() - started);
      await this.runs.finish(runId, toByLevel(byLevel), escalated, durationMs);
      this.logger.log(
        `escalation ${dryRun ? '(dry run) ' : ''}as of ${asOf} (${trigger}): ${escalated} items raised ` +
          `[${ESCALATION_LEVELS.map((l) => `${ESCALATION_LABELS[l]} ${byLevel[l]}`).join(', ')}] in ${durationMs} ms`,
      );
      return { runId, asOf, trigger, dryRun, escalated, byLevel: toByLevel(byLevel), durationMs, preview };
    } catch (error) {
      await this.runs.fail(runId, Math.round(performance.now() - started), error);
      throw error;
    }
  }

  /**
   * Walks the items that are not closed in windows of ESCALATION_BATCH ids (a primary-key range
   * each, whatever the optimiser thinks) and raises each window's due items in one transaction
   * (raiseWindow), two windows at a time (inPairs); a dry run reads the windows one after the other
   * without locks and only counts. Returns the items raised per level (and a dry run's first rows).
   */
  private async escalate(
    runId: number,
    asOf: string,
    dryRun: boolean,
  ): Promise<{ counts: Record<EscalationLevel, number>; preview: PreviewRow[] }> {
    const counts: Record<EscalationLevel, number> = { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 };
    const preview: PreviewRow[] = [];
    const thresholds = await this.thresholds(this.db.manager);
    if (thresholds.size === 0) {
      return { counts, preview };
    }
    // Nothing with a later deadline than this can be due, whatever its campaign says.
    const horizon = addDays(
      asOf,
      Math.max(...[...thresholds.values()].map((t) => Math.max(t.reminderDays, t.warningDays))),
    );
    const bounds = await this.db
      .createQueryBuilder(Item, 'i')
      .select('MIN(i.id)', 'first')
      .addSelect('MAX(i.id)', 'last')
      .where("i.status <> 'closed'")
      .getRawOne<{ first: number | string | null; last: number | string | null }>();
    if (!bounds || bounds.first === null || bounds.last === null) {
      return { counts, preview };
    }
    const windows: Window[] = [];
    for (let from = Number(bounds.first); from <= Number(bounds.last); from += ESCALATION_BATCH) {
      windows.push({ from, to: from + ESCALATION_BATCH, horizon, asOf });
    }
    if (!dryRun) {
      const directory = await this.notifications.directory();
      const at = this.clock.now().toISOString();
      await inPairs(windows, async (window) => {
        const steps = await this.raiseWindow(runId, window, thresholds, at, directory);
        steps.forEach(({ to }) => counts[to]++);
      });
      return { counts, preview };
    }
    for (const window of windows) {
      const steps = await this.dueIn(this.db.manager, window, thresholds, false);
      steps.forEach(({ to }) => counts[to]++);
      preview.push(
        ...steps.slice(0, PREVIEW_ROWS - preview.length).map(({ item, to }) => ({
          itemId: item.id,
          title: item.title,
          regionCode: item.regionCode,
          deadline: item.deadline,
          from: item.escalationLevel,
          to,
        })),
      );
    }
    return { counts, preview };
  }

  /**
   * One window in one transaction: reads its due items under a row lock (MySQL: SELECT … FOR
   * UPDATE of the window's candidates; SQLite: writers take turns), so that a run beside this one
   * waits here and then finds them raised; a window with nothing due commits at once. Then one
   * UPDATE raises those still below their level and moves their chain tails, one `escalated` entry
   * each is appended (the step to the level reached; skipped levels are not written), the notices
   * are inserted, and the batch is added to the run's counts. `version` stays as it is: an
   * escalation does not make an officer's close stale. Returns the steps taken.
   */
  private async raiseWindow(
    runId: number,
    window: Window,
    thresholds: Map<number, EscalationThresholds>,
    at: string,
    directory: RecipientDirectory,
  ): Promise<Step[]> {
    return this.retried(() =>
      inTransaction(this.db, async (em) => {
        const steps = await this.dueIn(em, window, thresholds, true);
        if (steps.length === 0) {
          return [];
        }
        const { asOf } = window;
        // Each entry chained onto the tail its item row keeps (read under the lock above): no ledger read.
        const entries = steps.map(({ item, to }) =>
          this.ledger.chain(item, {
            type: 'escalated',
            actor: SYSTEM_ACTOR,
            at,
            note: ESCALATION_LABELS[to],
            payload: { from: item.escalationLevel, to, asOf },
          }),
        );
        // One UPDATE raises the levels and moves the tails (only upwards: a level reached meanwhile
        // is never written over); the entries follow in multi-row INSERTs.
        const affected = await raiseLevels(
          em,
          steps.map(({ to }, i) => ({ id: entries[i].itemId, to, seq: entries[i].seq, hash: entries[i].hash })),
        );
        if (affected !== undefined && affected !== steps.length) {
          // Cannot happen under the row lock; if it does, write nothing rather than a wrong ledger.
          throw new Error(`escalation raised ${affected} of ${steps.length} locked items; rolled back`);
        }
        await this.ledger.insert(em, entries);
        await this.notifications.notify(
          em,
          directory,
          steps.map(({ item, to }): EscalationStep => ({
            itemId: item.id,
            title: item.title,
            regionCode: item.regionCode,
            responsibleDept: item.responsibleDept,
            deadline: item.deadline,
            level: to,
            pendingReview: item.status === 'pending_review',
          })),
          asOf,
        );
        await this.runs.countBatch(
          em,
          runId,
          steps.map(({ to }) => to),
        );
        return steps;
      }),
    );
  }

  /**
   * The window's items whose level goes up on asOf, each with the level it reaches (worked out
   * once, by the pure policy), in id order: one read of the window's candidates (not closed, below
   * the top level, deadline within the horizon), under row locks when `lock` (MySQL: SELECT … FOR
   * UPDATE, which reads the latest committed rows). Campaigns created since the run started are
   * read in.
   */
  private async dueIn(
    em: EntityManager,
    { from, to, horizon, asOf }: Window,
    thresholds: Map<number, EscalationThresholds>,
    lock: boolean,
  ): Promise<Step[]> {
    const mysql = em.connection.options.type === 'mysql';
    const rows = await em.query<CandidateRow[]>(
      `SELECT id, campaignId, title, regionCode, responsibleDept, deadline, escalationLevel, status, ledgerSeq, ledgerHash
       FROM ${em.connection.getMetadata(Item).tableName}
       WHERE id >= ? AND id < ? AND status <> 'closed' AND escalationLevel < ? AND deadline <= ?
       ORDER BY id${lock && mysql ? ' FOR UPDATE' : ''}`,
      [from, to, MAX_ESCALATION_LEVEL, horizon],
    );
    const unknown = [...new Set(rows.map((r) => Number(r.campaignId)).filter((id) => !thresholds.has(id)))];
    if (unknown.length > 0) {
      for (const [id, t] of await this.thresholds(em, unknown)) {
        thresholds.set(id, t);
      }
    }
    const steps: Step[] = [];
    for (const row of rows) {
      const item = toCandidate(row);
      const campaign = thresholds.get(item.campaignId);
      if (!campaign) {
        throw new Error(`campaign ${item.campaignId} of item ${item.id} not found`);
      }
      const level = levelFor({
        deadline: item.deadline,
        currentLevel: item.escalationLevel,
        thresholds: campaign,
        today: asOf,
      });
      if (level > item.escalationLevel) {
        steps.push({ item, to: level });
      }
    }
    return steps;
  }

  /** Each campaign's thresholds (all campaigns, or those named): campaigns are few, items many. */
  private async thresholds(em: EntityManager, ids?: number[]): Promise<Map<number, EscalationThresholds>> {
    const campaigns = await em.find(Campaign, {
      select: { id: true, reminderDays: true, warningDays: true, supervisedDays: true },
      ...(ids ? { where: { id: In(ids) } } : {}),
    });
    return new Map(campaigns.map(({ id, ...t }) => [id, t]));
  }

  /** A batch that lost a deadlock (MySQL) or met a busy database is tried again: the work is idempotent. */
  private async retried<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= ATTEMPTS_PER_BATCH || !isTransient(error)) {
          throw error;
        }
        this.logger.warn(`escalation batch: ${(error as Error).message}; trying again (${attempt})`);
      }
    }
  }
}

function toCandidate(row: CandidateRow): Candidate {
  return {
    ...row,
    id: Number(row.id),
    campaignId: Number(row.campaignId),
    escalationLevel: Number(row.escalationLevel),
    ledgerSeq: Number(row.ledgerSeq),
  };
}

function isTransient(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) {
    return false;
  }
  const driver = error.driverError as { errno?: number; code?: string } | undefined;
  return driver?.errno === 1213 || driver?.errno === 1205 || driver?.code === 'SQLITE_BUSY';
}

function toByLevel(counts: Record<EscalationLevel, number>): ByLevel {
  return { '1': counts[1], '2': counts[2], '3': counts[3], '4': counts[4] };
}
