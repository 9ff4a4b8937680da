import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Person } from '../households/person.entity.js';

/** 家庭医生慢病签约. Its status (active / expired / noncompliant) is computed as of a day, never stored. */
@Entity('contracts')
export class Contract {
  @PrimaryGeneratedColumn()
  id!: number;

  @Index('IDX_contracts_person')
  @ForeignKey(() => Person, { name: 'FK_contracts_person', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'int' })
  personId!: number;

  /** 签约机构 */
  @Column({ type: 'varchar', length: 128 })
  institution!: string;

  /** 签约医生/团队 */
  @Column({ type: 'varchar', length: 64 })
  doctorName!: string;

  @Column({ type: 'date' })
  signedOn!: string;

  /** The last day the contract is valid. */
  @Index('IDX_contracts_validUntil')
  @Column({ type: 'date' })
  validUntil!: string;

  /** The day the contract ended early (the person died); null while it runs to validUntil. */
  @Column({ type: 'date', nullable: true })
  endedOn!: string | null;

  /** Follow-ups required over a year, from the catalogue (the most demanding covered disease). */
  @Column({ type: 'int' })
  requiredFollowUps!: number;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
