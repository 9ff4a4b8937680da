import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { performance } from 'node:perf_hooks';
import { DataSource, In, QueryFailedError } from 'typeorm';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { addDays, isCalendarDate } from '../common/dates.js';
import { inTransaction } from '../database/transaction.js';
import { Campaign } from '../ledger/campaign.entity.js';
import { ESCALATION_LABELS } from '../ledger/item-labels.js';
import { Item, MAX_ESCALATION_LEVEL } from '../ledger/item.entity.js';
import { LedgerService, sqlInt, SYSTEM_ACTOR, tailSet } from '../ledger/ledger.service.js';
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

interface Candidate {
  id: number;
  campaignId: number;
  title: string;
  regionCode: string;
  deadline: string;
  escalationLevel: number;
}

/**
 * The May-deadline job (SPEC §2): raises every item that is not closed (pending_review included: the
 * deadline is for 销号, SPEC §6.2) to the level its deadline
 * has reached on `asOf`, one `escalated` ledger entry and one notice per recipient for each item
 * raised, set-based and in batches. Idempotent: a second run for the same day, or a run beside it
 * on another worker, finds nothing left to raise, because each batch re-reads the levels under a
 * row lock and its UPDATE only raises (`escalationLevel < target`).
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
   * each, whatever the optimiser thinks), works out each one's level in JS with the pure policy,
   * and raises those due in one transaction per window. Returns the items raised per level (and a
   * dry run's first rows).
   */
  private async escalate(
    runId: number,
    asOf: string,
    dryRun: boolean,
  ): Promise<{ counts: Record<EscalationLevel, number>; preview: PreviewRow[] }> {
    const counts: Record<EscalationLevel, number> = { 0: 0, 1: 0, 2: 0, 3: 0, 4: 0 };
    const preview: PreviewRow[] = [];
    const thresholds = await this.thresholds();
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
    const directory = dryRun ? null : await this.notifications.directory();
    const at = this.clock.now().toISOString();
    for (let from = Number(bounds.first); from <= Number(bounds.last); from += ESCALATION_BATCH) {
      const candidates = await this.db
        .createQueryBuilder(Item, 'i')
        .select(['i.id', 'i.campaignId', 'i.title', 'i.regionCode', 'i.deadline', 'i.escalationLevel'])
        .where('i.id >= :from AND i.id < :to', { from, to: from + ESCALATION_BATCH })
        .andWhere("i.status <> 'closed'")
        .andWhere('i.escalationLevel < :max', { max: MAX_ESCALATION_LEVEL })
        .andWhere('i.deadline <= :horizon', { horizon })
        .getMany();
      const due = await this.dueOf(candidates, thresholds, asOf);
      if (due.length === 0) {
        continue;
      }
      const raised = dryRun
        ? due.map((c) => this.levelOf(c, thresholds, asOf))
        : await this.raise(
            runId,
            due.map((c) => c.id),
            thresholds,
            asOf,
            at,
            directory!,
          );
      raised.forEach((level) => counts[level]++);
      if (dryRun) {
        preview.push(
          ...due.slice(0, PREVIEW_ROWS - preview.length).map((c, i) => ({
            itemId: c.id,
            title: c.title,
            regionCode: c.regionCode,
            deadline: c.deadline,
            from: c.escalationLevel,
            to: raised[i],
          })),
        );
      }
    }
    return { counts, preview };
  }

  /**
   * One batch in one transaction: re-reads the items under a row lock (MySQL: SELECT … FOR UPDATE;
   * SQLite: writers take turns), raises with one UPDATE those still below their level, appends one
   * `escalated` entry each (the step to the level reached; skipped levels are not written) and
   * inserts the notices, and adds the batch to the run's counts. `version` stays as it is: an
   * escalation does not make an officer's close stale. Returns the levels reached.
   */
  private async raise(
    runId: number,
    ids: number[],
    thresholds: Map<number, EscalationThresholds>,
    asOf: string,
    at: string,
    directory: RecipientDirectory,
  ): Promise<EscalationLevel[]> {
    return this.retried(() =>
      inTransaction(this.db, async (em) => {
        const qb = em
          .createQueryBuilder(Item, 'i')
          .select([
            'i.id',
            'i.campaignId',
            'i.title',
            'i.regionCode',
            'i.responsibleDept',
            'i.deadline',
            'i.escalationLevel',
            'i.status',
            'i.ledgerSeq',
            'i.ledgerHash',
          ])
          .where({ id: In(ids) })
          .andWhere("i.status <> 'closed'")
          .orderBy('i.id');
        const rows = await (em.connection.options.type === 'mysql' ? qb.setLock('pessimistic_write') : qb).getMany();
        const steps = rows
          .map((item) => ({ item, to: this.levelOf(item, thresholds, asOf) }))
          .filter(({ item, to }) => to > item.escalationLevel);
        if (steps.length === 0) {
          return [];
        }
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
        const target = levelCase(steps.map(({ item, to }) => ({ id: item.id, to })));
        const tail = tailSet(entries.map((e) => ({ id: e.itemId, seq: e.seq, hash: e.hash })));
        const idList = steps.map(({ item }) => sqlInt(item.id)).join(',');
        // One UPDATE raises the levels and moves the tails; the entries follow in multi-row INSERTs.
        const result = await em
          .createQueryBuilder()
          .update(Item)
          .set({ escalationLevel: () => target, ledgerSeq: () => tail.seq, ledgerHash: () => tail.hash })
          .where(`id IN (${idList}) AND status <> 'closed' AND escalationLevel < ${target}`)
          .execute();
        if (result.affected !== undefined && result.affected !== steps.length) {
          // Cannot happen under the row lock; if it does, write nothing rather than a wrong ledger.
          throw new Error(`escalation raised ${result.affected} of ${steps.length} locked items; rolled back`);
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
        const reached = steps.map(({ to }) => to);
        await this.runs.countBatch(em, runId, reached);
        return reached;
      }),
    );
  }

  /** The candidates whose level goes up on asOf (campaigns created since the run started are read in). */
  private async dueOf(
    candidates: Candidate[],
    thresholds: Map<number, EscalationThresholds>,
    asOf: string,
  ): Promise<Candidate[]> {
    const unknown = [...new Set(candidates.map((c) => c.campaignId).filter((id) => !thresholds.has(id)))];
    if (unknown.length > 0) {
      for (const [id, t] of await this.thresholds(unknown)) {
        thresholds.set(id, t);
      }
    }
    return candidates.filter((c) => this.levelOf(c, thresholds, asOf) > c.escalationLevel);
  }

  private levelOf(item: Candidate, thresholds: Map<number, EscalationThresholds>, asOf: string): EscalationLevel {
    const campaign = thresholds.get(item.campaignId);
    if (!campaign) {
      throw new Error(`campaign ${item.campaignId} of item ${item.id} not found`);
    }
    return levelFor({ deadline: item.deadline, currentLevel: item.escalationLevel, thresholds: campaign, today: asOf });
  }

  /** Each campaign's thresholds (all campaigns, or those named): campaigns are few, items many. */
  private async thresholds(ids?: number[]): Promise<Map<number, EscalationThresholds>> {
    const campaigns = await this.db.getRepository(Campaign).find({
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

/** `CASE WHEN id IN (…) THEN 4 WHEN id IN (…) THEN 3 … END`: the target level of each raised item. */
function levelCase(targets: { id: number; to: EscalationLevel }[]): string {
  const whens = [...ESCALATION_LEVELS]
    .reverse()
    .map((level) => {
      const ids = targets.filter((t) => t.to === level).map((t) => sqlInt(t.id));
      return ids.length > 0 ? `WHEN id IN (${ids.join(',')}) THEN ${level}` : '';
    })
    .filter(Boolean);
  return `(CASE ${whens.join(' ')} END)`;
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
