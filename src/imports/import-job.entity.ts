import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { RosterEncoding, RosterFormat } from './roster-reader.js';
import type { JobStatus } from './upload-job.js';

export type ImportKind = 'households';

/**
 * 批量导入: one uploaded household roster and its progress. The counts are committed with each batch,
 * so that `inserted + updated + unchanged + rejected = rowsRead` at every moment, and `= rowsTotal` when done.
 */
@Entity('import_jobs')
export class ImportJob {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 16 })
  kind!: ImportKind;

  @Index()
  @Column({ type: 'varchar', length: 16 })
  status!: JobStatus;

  /** The name the file was uploaded with. */
  @Column({ type: 'varchar', length: 255 })
  fileName!: string;

  /** The file's name in UPLOAD_DIR while the job needs it. */
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

  @Column({ type: 'int', default: 0 })
  inserted!: number;

  @Column({ type: 'int', default: 0 })
  updated!: number;

  @Column({ type: 'int', default: 0 })
  unchanged!: number;

  @Column({ type: 'int', default: 0 })
  rejected!: number;

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
