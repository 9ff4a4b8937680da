import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Region } from '../regions/region.entity.js';

export const POVERTY_CAUSES = ['illness', 'disability', 'education', 'labour', 'other'] as const;
export type PovertyCause = (typeof POVERTY_CAUSES)[number];

export const HOUSEHOLD_STATUSES = ['poor', 'lifted', 'removed'] as const;
/** poor 在册未脱贫, lifted 已脱贫 (policies continue), removed 清退/自然减少. */
export type HouseholdStatus = (typeof HOUSEHOLD_STATUSES)[number];

/** 建档立卡贫困户. */
@Entity('households')
@Index('IDX_households_region_status', ['regionCode', 'status'])
export class Household {
  @PrimaryGeneratedColumn()
  id!: number;

  /** 户编号 */
  @Index('UQ_households_registryNo', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  registryNo!: string;

  /** A village or sub-district code. */
  @ForeignKey(() => Region, { name: 'FK_households_region', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'varchar', length: 12 })
  regionCode!: string;

  @Column({ type: 'varchar', length: 16 })
  povertyCause!: PovertyCause;

  @Column({ type: 'int' })
  registeredYear!: number;

  @Index('IDX_households_status')
  @Column({ type: 'varchar', length: 16 })
  status!: HouseholdStatus;

  @Column({ type: 'int', default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
