import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Person } from '../households/person.entity.js';

/** 参保: a person's enrollment in a year. */
@Entity('insurance_enrollments')
@Index('UQ_insurance_person_year', ['personId', 'year'], { unique: true })
@Index('IDX_insurance_year_enrolled', ['year', 'enrolled'])
export class InsuranceEnrollment {
  @PrimaryGeneratedColumn()
  id!: number;

  @ForeignKey(() => Person, { name: 'FK_insurance_person', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'int' })
  personId!: number;

  @Column({ type: 'int' })
  year!: number;

  /** 城乡居民基本医疗保险 by default. */
  @Column({ type: 'varchar', length: 64 })
  scheme!: string;

  @Column({ type: 'boolean' })
  enrolled!: boolean;

  /** 资助参保: the contribution is paid by the state. */
  @Column({ type: 'boolean' })
  subsidized!: boolean;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
