import { type BeforeApplicationShutdown, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { chunk } from '../common/sql.js';
import { AppConfig } from '../config/app-config.js';
import { inTransaction } from '../database/transaction.js';
import { QueueModule } from '../queue/queue.module.js';
import { openRoster } from '../uploads/roster-reader.js';
import { type ApplicableKind, PovertyApplyPlan } from './poverty-apply-plan.js';
import { loadPovertyRegistry } from './poverty-registry.js';
import { POVERTY_COLUMNS } from './poverty-rows.js';
import { Reconciliation } from './reconciliation.entity.js';
import { writeBatch } from './registry-apply-batch.js';
import { RegistryApply } from './registry-apply.entity.js';
import { RegistryChange } from './registry-change.entity.js';
import { RegistryVersion } from './registry-version.js';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Changes per batch: each batch is one transaction. */
export const APPLY_BATCH = 500;

/** Who writes: their id and name. */
export interface Actor {
  id: number;
  name: string;
}

/** A plan and the version of the registry it was made from. */
export interface VersionedPlan {
  plan: PovertyApplyPlan;
  version: RegistryVersion;
}

/** The confirmation of a preview: the kinds, the registry's version and every change it lists. */
export function confirmOf(kinds: readonly ApplicableKind[], { plan, version }: VersionedPlan): string {
  return createHash('sha256')
    .update(`${[...kinds].sort().join(',')}|${version.toString()}|${plan.token()}`)
    .digest('hex')
    .slice(0, 32);
}

/** How far an apply got: all of it, or (interrupted) some. */
export interface RegistryApplyProgress {
  id: number;
  status: RegistryApply['status'];
  kinds: ApplicableKind[];
  planned: number;
  applied: number;
  startedAt: Date;
  finishedAt: Date | null;
}

export const progressOf = (row: RegistryApply | null): RegistryApplyProgress | null =>
  row && {
    id: row.id,
    status: row.status,
    kinds: row.kinds.split(',') as ApplicableKind[],
    planned: row.planned,
    applied: row.applied,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };

/** The kinds as an apply records them: sorted, comma-separated. */
export const kindsKey = (kinds: readonly ApplicableKind[]): string => [...new Set(kinds)].sort().join(',');

const taken = () =>
  new AppError(ErrorCode.VersionConflict, '这次写入已由另一请求接续（或已完成），请刷新查看进度', 'confirm');

/**
 * Writes a confirmed apply of a poverty roster in batches (APPLY_BATCH changes, one transaction
 * each, registry-apply-batch.ts), recording on its registry_applies row how far it got and the
 * registry's version after each batch. A run owns the row by its token: a request that continues an
 * interrupted apply, or a restart, takes it over, and the run it took over from stops at its next
 * batch. On start, a process that runs the work (as for imports: without Redis, or a worker)
 * resumes the applies left `applying` — when the registry is still as their last batch left it;
 * otherwise the apply waits for a new preview and confirmation. Shutdown stops runs between batches.
 */
@Injectable()
export class RegistryApplyRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('RegistryApply');
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * What applying `kinds` changes in the registry as it is now (the roster read again against it),
   * and the registry's version that plan was made from: read before and after, so that a registry
   * changing meanwhile is planned again (and 409 if it keeps changing).
   */
  async plan(rec: Reconciliation, kinds: readonly ApplicableKind[]): Promise<VersionedPlan> {
    const path = join(this.config.UPLOAD_DIR, rec.storedName);
    if (!existsSync(path)) {
      throw new AppError(
        ErrorCode.InvalidTransition,
        `数据比对 #${rec.id} 的花名册文件已不在服务器上，无法写入登记信息`,
      );
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      const version = await RegistryVersion.read(this.db.manager);
      const plan = new PovertyApplyPlan(await loadPovertyRegistry(this.db), new Set(kinds), this.clock.today());
      const roster = await openRoster(path, POVERTY_COLUMNS);
      try {
        for await (const batch of roster.batches()) {
          batch.forEach((raw) => plan.add(raw));
        }
      } finally {
        await roster.close();
      }
      if ((await RegistryVersion.read(this.db.manager)).toString() === version.toString()) {
        return { plan, version };
      }
    }
    throw new AppError(ErrorCode.VersionConflict, '登记信息正在被修改，请稍后重新预览', 'confirm');
  }

  /** The apply of this reconciliation that is under way (or interrupted), if any. */
  open(reconciliationId: number): Promise<RegistryApply | null> {
    return this.db.getRepository(RegistryApply).findOneBy({ applying: reconciliationId });
  }

  /** The reconciliation's latest apply, if any. */
  latest(reconciliationId: number): Promise<RegistryApply | null> {
    return this.db.getRepository(RegistryApply).findOne({ where: { reconciliationId }, order: { id: 'DESC' } });
  }

  /** Records a new apply of `kinds`, confirmed with `confirm`, and writes it; 409 when another has just started. */
  async start(
    rec: Reconciliation,
    kinds: readonly ApplicableKind[],
    confirm: string,
    planned: VersionedPlan,
    actor: Actor,
  ): Promise<RegistryApply> {
    const token = randomUUID();
    const row = await inTransaction(this.db, async (em) => {
      if (await em.existsBy(RegistryApply, { applying: rec.id })) {
        throw taken();
      }
      const inserted = await em.insert(RegistryApply, {
        reconciliationId: rec.id,
        applying: rec.id,
        status: 'applying',
        kinds: kindsKey(kinds),
        confirm,
        runToken: token,
        registryVersion: planned.version.toString(),
        planned: planned.plan.changes.length,
        applied: 0,
        startedById: actor.id,
        startedByName: actor.name.slice(0, 64),
        startedAt: this.clock.now(),
      });
      return em.findOneByOrFail(RegistryApply, { id: (inserted.identifiers[0] as { id: number }).id });
    });
    return this.track(this.write(row, token, planned, actor));
  }

  /**
   * Takes over an interrupted apply (`open`) and writes what is left of it (`planned`, planned again
   * against the registry as the interruption left it); `confirm`: the token it goes on under.
   */
  async resume(open: RegistryApply, confirm: string, planned: VersionedPlan, actor: Actor): Promise<RegistryApply> {
    const token = randomUUID();
    const claimed = await inTransaction(this.db, (em) =>
      em
        .createQueryBuilder()
        .update(RegistryApply)
        .set({ runToken: token, confirm, registryVersion: planned.version.toString() })
        .where('id = :id AND status = :applying', { id: open.id, applying: 'applying' })
        .execute(),
    );
    if (!claimed.affected) {
      throw taken();
    }
    this.logger.log(`registry apply ${open.id}: ${planned.plan.changes.length} changes left, continuing`);
    return this.track(this.write(open, token, planned, actor));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.REDIS_URL && !QueueModule.runsWorkers(this.config)) {
      return;
    }
    for (const row of await this.db.getRepository(RegistryApply).findBy({ status: 'applying' })) {
      this.logger.log(`resuming registry apply ${row.id} (reconciliation ${row.reconciliationId})`);
      void this.track(yieldToEventLoop().then(() => this.resumeLeft(row))).catch((error: unknown) =>
        this.logger.warn(`registry apply ${row.id}: ${(error as Error).message}`),
      );
    }
  }

  /** Runs stop after their current batch; the next start resumes them. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.allSettled([...this.running]);
  }

  /** An apply a stopped process left: continued if the registry is as its last batch left it. */
  private async resumeLeft(row: RegistryApply): Promise<void> {
    const rec = await this.db.getRepository(Reconciliation).findOneByOrFail({ id: row.reconciliationId });
    const planned = await this.plan(rec, row.kinds.split(',') as ApplicableKind[]);
    if (planned.version.toString() !== row.registryVersion) {
      this.logger.warn(
        `registry apply ${row.id}: the registry changed since its last batch; it waits for a new preview and confirmation`,
      );
      return;
    }
    const done = await this.resume(row, row.confirm, planned, { id: row.startedById, name: row.startedByName });
    this.logger.log(`registry apply ${row.id}: done, ${done.applied} changes written in all`);
  }

  private track<T>(run: Promise<T>): Promise<T> {
    this.running.add(run);
    void run.finally(() => this.running.delete(run)).catch(() => undefined);
    return run;
  }

  /** The batches, each checking first that this run still owns the apply; then the apply is marked done. */
  private async write(row: RegistryApply, token: string, { plan, version }: VersionedPlan, actor: Actor) {
    const now = this.clock.now();
    const context = {
      reconciliationId: row.reconciliationId,
      userId: actor.id,
      userName: actor.name,
      now,
      thisYear: this.clock.year(),
    };
    for (const part of chunk(plan.inWriteOrder(), APPLY_BATCH)) {
      if (this.stopping) {
        throw new AppError(ErrorCode.InvalidTransition, '服务正在停止：写入已暂停，重启后自动继续', 'status');
      }
      await inTransaction(this.db, async (em) => {
        const owned = await em
          .createQueryBuilder()
          .update(RegistryApply)
          .set({ applied: () => `applied + ${part.length}` })
          .where('id = :id AND runToken = :token', { id: row.id, token })
          .execute();
        if (!owned.affected) {
          throw taken();
        }
        await writeBatch(em, part, context, version);
        await em.update(RegistryApply, { id: row.id }, { registryVersion: version.toString() });
      });
      // Let requests in between batches.
      await yieldToEventLoop();
    }
    return inTransaction(this.db, async (em) => {
      const finished = await em
        .createQueryBuilder()
        .update(RegistryApply)
        .set({ status: 'done', applying: null, runToken: null, finishedAt: now })
        .where('id = :id AND runToken = :token', { id: row.id, token })
        .execute();
      if (!finished.affected) {
        throw taken();
      }
      const written = await em.countBy(RegistryChange, { reconciliationId: row.reconciliationId });
      await em.update(
        Reconciliation,
        { id: row.reconciliationId },
        { registryApplied: written, registryAppliedAt: now },
      );
      return em.findOneByOrFail(RegistryApply, { id: row.id });
    });
  }
}
