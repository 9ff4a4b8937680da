import { Column, CreateDateColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { RosterEncoding, RosterFormat } from './roster-file.js';

/** The life of a job that works through an uploaded file (an import, a reconciliation); `cancelled` by a user, never resumed. */
export const JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** The columns every job over an uploaded file has (import_jobs, reconciliations): its file, its progress, its run. */
export abstract class UploadJob {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: JobStatus;

  /** The name the file was uploaded with. */
  @Column({ type: 'varchar', length: 255 })
  fileName!: string;

  /** The file's random name in UPLOAD_DIR, also the first run's job id (see UploadJobDispatcher). */
  @Column({ type: 'varchar', length: 64 })
  storedName!: string;

  @Column({ type: 'varchar', length: 8 })
  format!: RosterFormat;

  @Column({ type: 'varchar', length: 8, nullable: true })
  encoding!: RosterEncoding | null;

  /** Data rows in the file; known once the file has been read through. */
  @Column({ type: 'int', nullable: true })
  rowsTotal!: number | null;

  @Column({ type: 'int', default: 0 })
  rowsRead!: number;

  /** Why the whole file failed (a broken quote at line N, missing columns, …). */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The run that owns the job now: a run that finds another token has been taken over and stops. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  runToken!: string | null;

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
