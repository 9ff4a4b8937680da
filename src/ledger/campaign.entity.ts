import { DEFAULT_TREATMENT_START_DAYS } from '../health/treatment-rules.js';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Escalation thresholds of SPEC §2 (days), used when a campaign does not name its own. */
export const DEFAULT_THRESHOLDS = { reminderDays: 14, warningDays: 3, supervisedDays: 7 } as const;

/** 整改专项/督导批次: a batch of remediation items with a common deadline and escalation thresholds. */
@Entity('campaigns')
export class Campaign {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'int' })
  year!: number;

  /** YYYY-MM-DD; by default May 31 of the campaign's year. */
  @Column({ type: 'date' })
  deadline!: string;

  /** Level 1 (提醒) when this many days or fewer are left. */
  @Column({ type: 'int', default: DEFAULT_THRESHOLDS.reminderDays })
  reminderDays!: number;

  /** Level 2 (预警) when this many days or fewer are left. */
  @Column({ type: 'int', default: DEFAULT_THRESHOLDS.warningDays })
  warningDays!: number;

  /** Level 4 (督办) when this many days or more overdue; level 3 (逾期) is any day after the deadline. */
  @Column({ type: 'int', default: DEFAULT_THRESHOLDS.supervisedDays })
  supervisedDays!: number;

  /** Days a confirmed major disease may wait for treatment before major_disease_untreated finds it. */
  @Column({ type: 'int', default: DEFAULT_TREATMENT_START_DAYS })
  treatmentStartDays!: number;

  /** 销号审核 (SPEC §6.2): a close request waits as 待审核 for the responsible department. */
  @Column({ type: 'boolean', default: true })
  closeReview!: boolean;

  /** With closeReview, a close request needs at least one 佐证材料 attachment. */
  @Column({ type: 'boolean', default: true })
  evidenceRequired!: boolean;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
