import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
} from 'typeorm';
import type { Sex } from '../common/id-number.js';
import { Household } from './household.entity.js';

export const RELATIONS = ['head', 'spouse', 'child', 'parent', 'grandchild', 'other'] as const;
/** Relation to the head of household (与户主关系). */
export type PersonRelation = (typeof RELATIONS)[number];

export const PERSON_STATUSES = ['active', 'deceased', 'moved'] as const;
export type PersonStatus = (typeof PERSON_STATUSES)[number];

/** 家庭成员. The ID number is personal data: it leaves the service masked. */
@Entity('persons')
export class Person {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('IDX_persons_householdId')
  @Column({ type: 'int' })
  householdId!: number;

  @ManyToOne(() => Household, { onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @JoinColumn({ name: 'householdId', foreignKeyConstraintName: 'FK_persons_household' })
  household?: Relation<Household>;

  /** 身份证号 (18 characters, check character validated). */
  @Index('UQ_persons_idNumber', { unique: true })
  @Column({ type: 'varchar', length: 18 })
  idNumber!: string;

  @Index('IDX_persons_name')
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 8 })
  sex!: Sex;

  @Column({ type: 'date' })
  birthDate!: string;

  @Column({ type: 'varchar', length: 16 })
  relation!: PersonRelation;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status!: PersonStatus;

  /** The day of 已故 or 迁出 (YYYY-MM-DD); null while active, or when it was not recorded. */
  @Column({ type: 'date', nullable: true })
  statusChangedOn!: string | null;

  @Column({ type: 'int', default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
