import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What writing a reconciliation's enrollment (写入参保信息) changed for one person: who, when, before → after. */
@Entity('enrollment_changes')
@Index('IDX_enrollment_changes_reconciliation', ['reconciliationId'])
@Index('IDX_enrollment_changes_person', ['personId', 'year'])
export class EnrollmentChange {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  reconciliationId!: number;

  @Column({ type: 'int' })
  personId!: number;

  @Column({ type: 'int' })
  year!: number;

  /** Null: the person had no record for the year. */
  @Column({ type: 'boolean', nullable: true })
  enrolledBefore!: boolean | null;

  @Column({ type: 'boolean', nullable: true })
  subsidizedBefore!: boolean | null;

  @Column({ type: 'boolean' })
  enrolledAfter!: boolean;

  @Column({ type: 'boolean' })
  subsidizedAfter!: boolean;

  @Column({ type: 'int' })
  changedById!: number;

  @Column({ type: 'datetime' })
  changedAt!: Date;
}
