import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { Clock } from '../common/clock.js';
import { maskIdLike } from '../common/mask-id-like.js';
import { chunk } from '../common/sql.js';
import { AppConfig } from '../config/app-config.js';
import { inTransaction } from '../database/transaction.js';
import { asError } from '../uploads/as-error.js';
import { IdNumberIndex } from '../uploads/id-number-index.js';
import { openRoster } from '../uploads/roster-reader.js';
import { Stopped, TakenOver, UploadJobRunner, type WorkDone } from '../uploads/upload-job-runner.js';
import { Discrepancy, type DiscrepancyKind } from './discrepancy.entity.js';
import { INSURANCE_COLUMNS, readInsuranceRow, sameName } from './insurance-rows.js';
import { Reconciliation, type SkippedRow } from './reconciliation.entity.js';
import { loadRegistry, type RegistrySnapshot } from './registry-snapshot.js';

/** Discrepancies per multi-row INSERT (10 columns each). */
const INSERT_ROWS = 1000;
/** Progress is committed at least this often (rows read), even when nothing is found. */
const PROGRESS_EVERY = 20_000;
/** Skipped rows listed on the reconciliation; the rest are counted. */
const SKIPPED_LISTED = 100;

type NewDiscrepancy = Omit<Discrepancy, 'id'>;

const DISCREPANCY_COLUMNS = [
  'reconciliationId',
  'kind',
  'idNumber',
  'line',
  'personId',
  'rosterName',
  'registryName',
  'regionCode',
  'detail',
] as const satisfies readonly (keyof NewDiscrepancy)[];

/**
 * Runs a reconciliation (the queue job): loads the registry's persons for the year into memory
 * with one streamed query, streams the roster once comparing each row by ID number (hash lookups,
 * no query per row), then walks the registry for the persons the roster did not mention. Found
 * discrepancies are written in multi-row INSERTs while the roster is still being read.
 *
 * A run starts over: claiming the reconciliation deletes what an interrupted run wrote, and every
 * write checks the run token, so a redelivered job and a resumed one never both write.
 */
@Injectable()
export class ReconciliationRunner extends UploadJobRunner<Reconciliation> {
  constructor(@InjectDataSource() db: DataSource, clock: Clock, config: AppConfig) {
    super(new Logger('Reconciliation'), 'reconciliation', '数据比对', Reconciliation, db, clock, config);
  }

  /** A reconciliation starts over: what an interrupted run wrote is cleared. */
  protected async onClaim(em: EntityManager, id: number): Promise<QueryDeepPartialEntity<Reconciliation>> {
    await em.delete(Discrepancy, { reconciliationId: id });
    return { rowsRead: 0, rowsSkipped: 0, skipped: null };
  }

  protected async work(rec: Reconciliation, token: string, path: string): Promise<WorkDone<Reconciliation>> {
    const started = Date.now();
    const registry = await loadRegistry(this.db, rec.year);
    const loaded = Date.now();
    const summary = await this.compare(rec, token, path, registry);
    return {
      fields: {
        rowsTotal: summary.rows,
        rowsRead: summary.rows,
        rowsSkipped: summary.skipped,
        skipped: JSON.stringify(summary.listed),
      },
      summary: `${summary.rows} roster rows against ${registry.size} persons in ${Date.now() - started} ms (registry ${loaded - started} ms, roster ${Date.now() - loaded} ms)`,
    };
  }

  private async compare(
    rec: Reconciliation,
    token: string,
    path: string,
    registry: RegistrySnapshot,
  ): Promise<{ rows: number; skipped: number; listed: SkippedRow[] }> {
    const today = this.clock.today();
    const firstLine = new IdNumberIndex();
    const listed: SkippedRow[] = [];
    let skipped = 0;
    let rows = 0;
    let pending: NewDiscrepancy[] = [];
    // The write in flight (at most one): it resolves to its error, if any.
    const inflight: Promise<Error | null>[] = [];
    let committedAt = 0;
    const settle = async () => {
      const error = await inflight.pop();
      if (error) {
        throw error;
      }
    };
    const flush = async () => {
      await settle();
      if (this.stopping) {
        throw new Stopped();
      }
      const part = pending;
      pending = [];
      committedAt = rows;
      inflight.push(
        this.write(rec.id, token, rows, part).then(
          () => null,
          (error: unknown) => asError(error),
        ),
      );
    };
    const found = (kind: DiscrepancyKind, d: Omit<NewDiscrepancy, 'reconciliationId' | 'kind'>) => {
      pending.push({ reconciliationId: rec.id, kind, ...d });
    };

    const roster = await openRoster(path, INSURANCE_COLUMNS);
    try {
      for await (const batch of roster.batches()) {
        // Let requests in between batches; a cancelled or taken-over run stops here too.
        await new Promise<void>((resolve) => setImmediate(resolve));
        await this.assertOwned(rec.id, token);
        for (const raw of batch) {
          rows++;
          const row = readInsuranceRow(raw, rec.year, today);
          if (row.kind === 'skip') {
            skipped++;
            if (listed.length < SKIPPED_LISTED) {
              listed.push(row.skipped);
            }
          } else if (row.kind === 'invalid_id') {
            found('invalid_id', {
              idNumber: row.idNumber.slice(0, 32),
              line: row.line,
              personId: null,
              rosterName: maskIdLike(row.name).slice(0, 64) || null,
              registryName: null,
              regionCode: null,
              detail: row.detail,
            });
          } else {
            const slot = registry.slotOf(row.idNumber);
            const person = (detail: string) => ({
              idNumber: row.idNumber,
              line: row.line,
              personId: slot === undefined ? null : registry.personId(slot),
              rosterName: maskIdLike(row.name).slice(0, 64) || null,
              registryName: slot === undefined ? null : registry.name(slot),
              regionCode: slot === undefined ? null : registry.regionCode(slot),
              detail,
            });
            const first = firstLine.setIfAbsent(row.idNumber, row.line);
            if (first !== undefined) {
              // Only the first row of a number is compared; the repeats are the discrepancy.
              found('duplicate_row', person(`与第${first}行重复`));
            } else {
              if (slot === undefined) {
                if (row.subsidized) {
                  found('insured_not_registered', person('资助参保，但不在建档立卡登记中'));
                }
              } else {
                registry.markSeen(slot);
                if (!sameName(row.name, registry.name(slot))) {
                  found('name_mismatch', person('花名册姓名与登记姓名不一致'));
                }
                if (row.enrolled && registry.isDeceased(slot)) {
                  found('deceased_insured', person('登记为已故，花名册仍为参保'));
                }
                if (!row.enrolled && registry.shouldBeInsured(slot)) {
                  found(
                    'registered_not_insured',
                    person(
                      registry.registryEnrolled(slot)
                        ? '花名册标记为未参保（登记的参保记录为已参保）'
                        : '花名册标记为未参保',
                    ),
                  );
                }
              }
            }
          }
          if (pending.length >= INSERT_ROWS || rows - committedAt >= PROGRESS_EVERY) {
            await flush();
          }
        }
      }
    } finally {
      await Promise.all(inflight);
      await roster.close();
    }
    for (let slot = 0; slot < registry.size; slot++) {
      if (!registry.wasSeen(slot) && registry.shouldBeInsured(slot)) {
        found('registered_not_insured', {
          idNumber: registry.idNumber(slot),
          line: null,
          personId: registry.personId(slot),
          rosterName: null,
          registryName: registry.name(slot),
          regionCode: registry.regionCode(slot),
          detail: registry.registryEnrolled(slot) ? '花名册中没有此人（登记的参保记录为已参保）' : '花名册中没有此人',
        });
        if (pending.length >= INSERT_ROWS) {
          await flush();
        }
      }
    }
    await flush();
    await settle();
    return { rows, skipped, listed };
  }

  /** One transaction: the progress (only while this run owns the reconciliation) and a part of the findings. */
  private async write(id: number, token: string, rowsRead: number, found: NewDiscrepancy[]): Promise<void> {
    await inTransaction(this.db, async (em) => {
      const owned = await em
        .createQueryBuilder()
        .update(Reconciliation)
        .set({ rowsRead })
        .where('id = :id AND runToken = :token', { id, token })
        .execute();
      if (!owned.affected) {
        throw new TakenOver();
      }
      for (const part of chunk(found, INSERT_ROWS)) {
        await em.query(
          this.sql.insert('discrepancies', DISCREPANCY_COLUMNS, part.length),
          part.flatMap((d) => DISCREPANCY_COLUMNS.map((c) => d[c])),
        );
      }
    });
  }
}
