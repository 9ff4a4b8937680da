import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Contract } from './contract.entity.js';
import type { FollowUpResult } from './follow-up-rules.js';

/** DECIMAL comes back as a string from MySQL and a number from SQLite: always a number here. */
const decimal = {
  to: (value: number | null) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

export const FOLLOW_UP_KINDS = ['clinic', 'home', 'phone', 'remote'] as const;
/** clinic 门诊, home 入户, phone 电话, remote 远程. */
export type FollowUpKind = (typeof FOLLOW_UP_KINDS)[number];

/** 随访 */
@Entity('follow_ups')
@Index('IDX_follow_ups_contract_visited', ['contractId', 'visitedOn'])
export class FollowUp {
  @PrimaryGeneratedColumn()
  id!: number;

  @ForeignKey(() => Contract, { name: 'FK_follow_ups_contract', onDelete: 'CASCADE', onUpdate: 'RESTRICT' })
  @Column({ type: 'int' })
  contractId!: number;

  @Column({ type: 'date' })
  visitedOn!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: FollowUpKind;

  /** Null for follow-ups recorded before results were kept (issue #18). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  result!: FollowUpResult | null;

  /** Blood pressure (mmHg), for hypertension. */
  @Column({ type: 'int', nullable: true })
  systolic!: number | null;

  @Column({ type: 'int', nullable: true })
  diastolic!: number | null;

  /** Fasting glucose (mmol/L, one decimal), for type-2 diabetes. */
  @Column({ type: 'decimal', precision: 4, scale: 1, nullable: true, transformer: decimal })
  fastingGlucose!: number | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  notes!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
