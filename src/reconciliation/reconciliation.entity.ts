import { Column, Entity, Index } from 'typeorm';
import { UploadJob } from '../uploads/upload-job.js';

/** A roster row that could not be compared (another year, an unreadable 是否参保 …). */
export interface SkippedRow {
  line: number;
  field: string;
  reason: string;
}

/** 数据比对: one insurance roster compared with the registry for a year (the roster is kept: applying its enrollment reads it again). */
@Entity('reconciliations')
@Index('IDX_reconciliations_status', ['status'])
export class Reconciliation extends UploadJob {
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
}
