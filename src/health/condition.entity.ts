import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Person } from '../households/person.entity.js';
import { Disease } from './disease.entity.js';

export const TREATMENT_CATEGORIES = ['concentrated', 'contracted', 'safety_net'] as const;
/** 三个一批: concentrated 大病集中救治一批, contracted 慢病签约服务管理一批, safety_net 重病兜底保障一批. */
export type TreatmentCategory = (typeof TREATMENT_CATEGORIES)[number];

export const TREATMENT_STATUSES = ['untreated', 'in_treatment', 'treated', 'declined', 'deceased'] as const;
/** untreated 未救治, in_treatment 救治中, treated 已救治, declined 放弃救治 (with a reason), deceased 已故. */
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

  /** 核准: the day a major disease was confirmed; null when not recorded. */
  @Column({ type: 'date', nullable: true })
  confirmedOn!: string | null;

  /** 定点医院 */
  @Column({ type: 'varchar', length: 128, nullable: true })
  hospital!: string | null;

  @Column({ type: 'date', nullable: true })
  treatmentStartedOn!: string | null;

  /** Why treatment was declined (放弃救治原因); set only with status `declined`. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  declineReason!: string | null;

  @Column({ type: 'int', default: 1 })
  version!: number;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
