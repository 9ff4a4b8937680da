import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Contract } from './contract.entity.js';

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

  @Column({ type: 'varchar', length: 500, nullable: true })
  notes!: string | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
