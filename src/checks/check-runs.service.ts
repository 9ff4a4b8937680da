import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import type { Page, PageQuery } from '../common/pagination.js';
import { type RunStatus, runStatus } from '../common/run-status.js';
import { inTransaction, recordRunFailure } from '../database/transaction.js';
import { CheckRun } from './check-run.entity.js';
import type { CheckRule } from './check-rules.js';

/** Per rule: the gaps found, and the items opened (or that a dry run would open). */
export type RuleCounts = Partial<Record<CheckRule, { found: number; opened: number }>>;

/** A recorded run of the gap checks (the admin's runs page). */
export interface CheckRunView {
  id: number;
  status: RunStatus;
  campaignId: number;
  asOf: string;
  dryRun: boolean;
  startedBy: number | null;
  found: number;
  opened: number;
  byRule: RuleCounts;
  durationMs: number | null;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
}

/** The gap checks' history (check_runs): recorded when a run starts, completed when it ends, done or failed. */
@Injectable()
export class CheckRuns {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Records a run that starts now; returns its id. */
  start(run: { campaignId: number; asOf: string; startedBy: number | null; dryRun: boolean }): Promise<number> {
    return inTransaction(this.db, async (em) => {
      const result = await em.insert(CheckRun, { ...run, startedAt: this.clock.now() });
      return (result.identifiers[0] as { id: number }).id;
    });
  }

  async finish(runId: number, byRule: Required<RuleCounts>, durationMs: number): Promise<void> {
    const counts = Object.values(byRule);
    await inTransaction(this.db, (em) =>
      em.update(CheckRun, runId, {
        found: counts.reduce((sum, c) => sum + c.found, 0),
        opened: counts.reduce((sum, c) => sum + c.opened, 0),
        byRule: JSON.stringify(byRule),
        durationMs,
        finishedAt: this.clock.now(),
      }),
    );
  }

  /** Records why a run failed (a failure to record it is swallowed: recordRunFailure). */
  fail(runId: number, durationMs: number, error: unknown): Promise<void> {
    return recordRunFailure(this.db, CheckRun, runId, durationMs, error);
  }

  /** The runs, newest first. */
  async list(query: PageQuery): Promise<Page<CheckRunView>> {
    const [rows, total] = await this.db.getRepository(CheckRun).findAndCount({
      order: { id: 'DESC' },
      skip: query.offset,
      take: query.pageSize,
    });
    const now = this.clock.now();
    return {
      items: rows.map((run) => ({
        id: run.id,
        status: runStatus({ ...run, heartbeatAt: null }, now),
        campaignId: run.campaignId,
        asOf: run.asOf,
        dryRun: run.dryRun,
        startedBy: run.startedBy,
        found: run.found,
        opened: run.opened,
        byRule: run.byRule ? (JSON.parse(run.byRule) as RuleCounts) : {},
        durationMs: run.durationMs,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        error: run.error,
      })),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }
}
