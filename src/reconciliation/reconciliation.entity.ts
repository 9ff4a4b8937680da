import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { RosterEncoding, RosterFormat } from '../imports/roster-reader.js';
import type { JobStatus } from '../imports/upload-job.js';

/** A roster row that could not be compared (another year, an unreadable 是否参保 …). */
export interface SkippedRow {
  line: number;
  field: string;
  reason: string;
}

/** 数据比对: one insurance roster compared with the registry for a year. */
@Entity('reconciliations')
export class Reconciliation {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  year!: number;

  @Index()
  @Column({ type: 'varchar', length: 16 })
  status!: JobStatus;

  @Column({ type: 'varchar', length: 255 })
  fileName!: string;

  /** The roster in UPLOAD_DIR: kept, because applying its enrollment reads it again. */
  @Column({ type: 'varchar', length: 64 })
  storedName!: string;

  @Column({ type: 'varchar', length: 8 })
  format!: RosterFormat;

  @Column({ type: 'varchar', length: 8, nullable: true })
  encoding!: RosterEncoding | null;

  @Column({ type: 'int', nullable: true })
  rowsTotal!: number | null;

  @Column({ type: 'int', default: 0 })
  rowsRead!: number;

  @Column({ type: 'int', default: 0 })
  rowsSkipped!: number;

  /** The first skipped rows as JSON (SkippedRow[], at most 100). */
  @Column({ type: 'text', nullable: true })
  skipped!: string | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  runToken!: string | null;

  /** Enrollments written from the roster (POST …/apply-enrollment), null until then. */
  @Column({ type: 'int', nullable: true })
  enrollmentApplied!: number | null;

  @Column({ type: 'datetime', nullable: true })
  enrollmentAppliedAt!: Date | null;

  @Column({ type: 'int', nullable: true })
  createdById!: number | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @Column({ type: 'datetime', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'datetime', nullable: true })
  finishedAt!: Date | null;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
