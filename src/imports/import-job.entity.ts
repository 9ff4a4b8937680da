import { Column, Entity, Index } from 'typeorm';
import { UploadJob } from '../uploads/upload-job.js';

export type ImportKind = 'households';

/**
 * 批量导入: one uploaded household roster and its progress (the file is removed once it is done). The
 * counts are committed with each batch, so that `inserted + updated + unchanged + rejected = rowsRead`
 * at every moment, and `= rowsTotal` when done.
 */
@Entity('import_jobs')
@Index('IDX_import_jobs_status', ['status'])
export class ImportJob extends UploadJob {
  @Column({ type: 'varchar', length: 16 })
  kind!: ImportKind;

  @Column({ type: 'int', default: 0 })
  inserted!: number;

  @Column({ type: 'int', default: 0 })
  updated!: number;

  @Column({ type: 'int', default: 0 })
  unchanged!: number;

  @Column({ type: 'int', default: 0 })
  rejected!: number;

  /** Row errors beyond the first MAX_LISTED_ERRORS, counted but not kept. */
  @Column({ type: 'int', default: 0 })
  errorsOmitted!: number;
}
