import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock.js';
import { type RunStatus, runStatus } from '../common/run-status.js';
import type { Page, PageQuery } from '../common/pagination.js';
import { inTransaction, recordRunFailure } from '../database/transaction.js';
import type { EscalationLevel } from '../ledger/escalation-policy.js';
import { EscalationRun, type EscalationTrigger } from './escalation-run.entity.js';

export type ByLevel = Record<'1' | '2' | '3' | '4', number>;

/** What a run did: the day, how it was started, and the items it raised per level reached. */
export interface RunSummary {
  asOf: string;
  trigger: EscalationTrigger;
  dryRun: boolean;
  escalated: number;
  byLevel: ByLevel;
}

/** A recorded run (GET /api/escalations/runs). */
export interface RunView extends RunSummary {
  id: number;
  status: RunStatus;
  /** Null while the run is going on. */
  durationMs: number | null;
  startedBy: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
}

/**
 * The escalation runs' history (escalation_runs): a run is recorded when it starts, its counts
 * grow with each batch it commits (the heartbeat), and it ends done or failed.
 */
@Injectable()
export class EscalationRuns {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Records a run that starts now; returns its id. */
  start(run: { asOf: string; trigger: EscalationTrigger; startedBy: number | null; dryRun: boolean }): Promise<number> {
    return inTransaction(this.db, async (em) => {
      const now = this.clock.now();
      const result = await em.insert(EscalationRun, { ...run, startedAt: now, heartbeatAt: now });
      return (result.identifiers[0] as { id: number }).id;
    });
  }

  /** Adds a committed batch's items to the run's counts, in the batch's transaction. */
  async countBatch(em: EntityManager, runId: number, reached: EscalationLevel[]): Promise<void> {
    const count = (level: EscalationLevel) => reached.filter((l) => l === level).length;
    await em
      .createQueryBuilder()
      .update(EscalationRun)
      .set({
        level1: () => `level1 + ${count(1)}`,
        level2: () => `level2 + ${count(2)}`,
        level3: () => `level3 + ${count(3)}`,
        level4: () => `level4 + ${count(4)}`,
        escalated: () => `escalated + ${reached.length}`,
        heartbeatAt: this.clock.now(),
      })
      .where('id = :runId', { runId })
      .execute();
  }

  async finish(runId: number, byLevel: ByLevel, escalated: number, durationMs: number): Promise<void> {
    await inTransaction(this.db, (em) =>
      em.update(EscalationRun, runId, {
        level1: byLevel[1],
        level2: byLevel[2],
        level3: byLevel[3],
        level4: byLevel[4],
        escalated,
        durationMs,
        finishedAt: this.clock.now(),
      }),
    );
  }

  /** Records why a run failed (a failure to record it is swallowed: recordRunFailure). */
  fail(runId: number, durationMs: number, error: unknown): Promise<void> {
    return recordRunFailure(this.db, EscalationRun, runId, durationMs, error);
  }

  /** The runs, newest first. */
  async list(query: PageQuery): Promise<Page<RunView>> {
    const [rows, total] = await this.db.getRepository(EscalationRun).findAndCount({
      order: { id: 'DESC' },
      skip: query.offset,
      take: query.pageSize,
    });
    const now = this.clock.now();
    return {
      items: rows.map((run) => toRunView(run, now)),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }
}

function toRunView(run: EscalationRun, now: Date): RunView {
  return {
    id: run.id,
    status: runStatus(run, now),
    asOf: run.asOf,
    trigger: run.trigger,
    dryRun: run.dryRun,
    escalated: run.escalated,
    byLevel: { '1': run.level1, '2': run.level2, '3': run.level3, '4': run.level4 },
    durationMs: run.durationMs,
    startedBy: run.startedBy,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    error: run.error,
  };
}
