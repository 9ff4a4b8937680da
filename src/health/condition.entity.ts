import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Person } from '../households/person.entity.js';
import { Disease } from './disease.entity.js';

export const TREATMENT_CATEGORIES = ['concentrated', 'contracted', 'safety_net'] as const;
/** 三个一批: concentrated 大病集中救治一批, contracted 慢病签约服务管理一批, safety_net 重病兜底保障一批. */
export type TreatmentCategory = (typeof TREATMENT_CATEGORIES)[number];

export const TREATMENT_STATUSES = ['untreated', 'in_treatment', 'treated'] as const;
export type TreatmentStatus = (typeof TREATMENT_STATUSES)[number];

/** 患病记录: a person's disease. A person with at least one is a patient. */
@Entity('conditions')
@Index('UQ_conditions_person_disease', ['personId', 'diseaseCode'], { unique: true })
@Index('IDX_conditions_disease', ['diseaseCode', 'treatmentStatus'])
export class Condition {
  @PrimaryGeneratedColumn()
  id!: number;

  @ForeignKey(() => Person, { name: 'FK_conditions_person', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'int' })
  personId!: number;

  @ForeignKey(() => Disease, { name: 'FK_conditions_disease', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'varchar', length: 32 })
  diseaseCode!: string;

  @Column({ type: 'date' })
  diagnosedOn!: string;

  @Column({ type: 'varchar', length: 16 })
  treatmentCategory!: TreatmentCategory;

  @Column({ type: 'varchar', length: 16 })
  treatmentStatus!: TreatmentStatus;

  @Column({ type: 'int', default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
