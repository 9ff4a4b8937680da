import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ImportJob } from './import-job.entity.js';

/** One problem of one rejected row; a row with two bad fields has two. */
@Entity('import_row_errors')
@Index('IDX_import_row_errors_import_line', ['importId', 'line'])
export class ImportRowError {
  @PrimaryGeneratedColumn()
  id!: number;

  @ForeignKey(() => ImportJob, { name: 'FK_import_row_errors_import', onDelete: 'CASCADE', onUpdate: 'RESTRICT' })
  @Column({ type: 'int' })
  importId!: number;

  /** The row's line in the file (the header is line 1). */
  @Column({ type: 'int' })
  line!: number;

  /** The column, by its English name (idNumber, relation, …). */
  @Column({ type: 'varchar', length: 32 })
  field!: string;

  @Column({ type: 'varchar', length: 255 })
  reason!: string;

  /** Masked: 610102********1234. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  idNumber!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  registryNo!: string | null;
}
