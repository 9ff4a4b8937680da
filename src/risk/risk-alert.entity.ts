import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Item } from '../ledger/item.entity.js';

export const ALERT_KINDS = ['registered', 'other'] as const;
/** Which threshold was reached: registered 建档立卡人员 (registered ratio), other 其他人员 (other ratio). */
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * 因病返贫致贫风险预警: a person whose burden of a year reached the year's threshold of their kind; at
 * most one per ID number, year and kind. A registered person's opens an item (`itemId`); an
 * unregistered person's goes on the push list.
 */
@Entity('risk_alerts')
@Index('UQ_risk_alerts_person_year_kind', ['idNumber', 'year', 'kind'], { unique: true })
@Index('IDX_risk_alerts_year_region', ['year', 'regionCode'])
export class RiskAlert {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  year!: number;

  @Column({ type: 'varchar', length: 16 })
  kind!: AlertKind;

  @Column({ type: 'varchar', length: 18 })
  idNumber!: string;

  /** The name the settlements give. */
  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** The registered person, null for anyone else. */
  @Column({ type: 'int', nullable: true })
  personId!: number | null;

  @Column({ type: 'int', nullable: true })
  householdId!: number | null;

  /** The registered person's sub-district; null for anyone else. */
  @Column({ type: 'varchar', length: 12, nullable: true })
  regionCode!: string | null;

  /** 个人负担 of the year as of the run that raised it (fen). */
  @Column({ type: 'int' })
  burdenFen!: number;

  @Column({ type: 'int' })
  thresholdFen!: number;

  /** Settlement rows summed. */
  @Column({ type: 'int' })
  settlements!: number;

  @Column({ type: 'date' })
  asOf!: string;

  @ForeignKey(() => Item, { name: 'FK_risk_alerts_item', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'int', nullable: true })
  itemId!: number | null;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
