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

  /** The day the contract ended early (the person died, or it was renewed before its end); null while it runs to validUntil. */
  @Column({ type: 'date', nullable: true })
  endedOn!: string | null;

  /** Follow-ups required over a year, from the catalogue (the most demanding covered disease). */
  @Column({ type: 'int' })
  requiredFollowUps!: number;

  /** The contract this one renews (续签); one renewal per contract. */
  @Index('UQ_contracts_renewedFrom', { unique: true })
  @ForeignKey(() => Contract, { name: 'FK_contracts_renewedFrom', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'int', nullable: true })
  renewedFromId!: number | null;

  /** Bumped by a renewal (the only change of a contract's terms); a renewal names the version it applies to. */
  @Column({ type: 'int', default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
