import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** Every reading of a full resident ID number: who, whose, when (admins read this log). */
@Entity('id_access_log')
@Index('IDX_id_access_log_person', ['personId'])
export class IdAccess {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  userId!: number;

  @Column({ type: 'varchar', length: 64 })
  username!: string;

  @Column({ type: 'int' })
  personId!: number;

  /** ISO instant from the Clock. */
  @Column({ type: 'varchar', length: 24 })
  at!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  address!: string | null;

  /** Why the number was read (查看原因); null for readings logged before reasons were asked. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  reason!: string | null;
}
