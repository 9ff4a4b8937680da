import { Column, Entity, Index } from 'typeorm';
import { UploadJob } from '../uploads/upload-job.js';

/** A roster row that could not be compared (another year, an unreadable 是否参保 …). */
export interface SkippedRow {
  line: number;
  field: string;
  reason: string;
}

/** Whose roster: the insurance bureau's (医保局) or the poverty-alleviation office's (扶贫办). */
export const RECONCILIATION_SOURCES = ['insurance', 'poverty'] as const;
export type ReconciliationSource = (typeof RECONCILIATION_SOURCES)[number];

/**
 * 数据比对: one roster compared with the registry (the roster is kept: applying it reads it again).
 * An insurance roster is compared for a year; a poverty roster carries the year it was uploaded in.
 */
@Entity('reconciliations')
@Index('IDX_reconciliations_status', ['status'])
@Index('IDX_reconciliations_source', ['source', 'id'])
export class Reconciliation extends UploadJob {
  @Column({ type: 'varchar', length: 16, default: 'insurance' })
  source!: ReconciliationSource;

  @Column({ type: 'int' })
  year!: number;

  @Column({ type: 'int', default: 0 })
  rowsSkipped!: number;

  /** The first skipped rows as JSON (SkippedRow[], at most 100). */
  @Column({ type: 'text', nullable: true })
  skipped!: string | null;

  /** Enrollments written from the roster (POST …/apply-enrollment), null until then. */
  @Column({ type: 'int', nullable: true })
  enrollmentApplied!: number | null;

  @Column({ type: 'datetime', nullable: true })
  enrollmentAppliedAt!: Date | null;

  /** Registry changes written from a poverty roster (POST …/apply), null until then. */
  @Column({ type: 'int', nullable: true })
  registryApplied!: number | null;

  @Column({ type: 'datetime', nullable: true })
  registryAppliedAt!: Date | null;
}
