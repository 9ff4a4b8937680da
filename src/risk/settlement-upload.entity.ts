import { Column, Entity, Index } from 'typeorm';
import { UploadJob } from '../uploads/upload-job.js';

/** A rejected settlement row's problem, as listed on its upload (the ID number masked). */
export interface SettlementRowError {
  line: number;
  /** The column, by its English name (amount columns: totalFen, fundFen, …). */
  field: string;
  reason: string;
}

/**
 * 医保结算数据上传: one uploaded file of the insurance bureau's settlements for a `year`, and its
 * progress. The counts are committed with each batch: `inserted + duplicates + rejected = rowsRead`.
 */
@Entity('risk_settlement_uploads')
@Index('IDX_risk_settlement_uploads_status', ['status'])
export class SettlementUpload extends UploadJob {
  /** The calendar year the file's settlements belong to (a settlement date outside it is a row error). */
  @Column({ type: 'int' })
  year!: number;

  /** Settlements (and refunds) new to the database. */
  @Column({ type: 'int', default: 0 })
  inserted!: number;

  /** Rows whose settlement (or refund) was uploaded before, or earlier in this file: counted once. */
  @Column({ type: 'int', default: 0 })
  duplicates!: number;

  @Column({ type: 'int', default: 0 })
  rejected!: number;

  /** JSON: the first MAX_LISTED_ERRORS row errors (SettlementRowError[]). */
  @Column({ type: 'text', nullable: true })
  rowErrors!: string | null;
}
