import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ESCALATION_TRIGGERS = ['schedule', 'manual', 'backfill'] as const;
/** schedule: the nightly job; manual: an admin for today; backfill: an admin for an earlier day. */
export type EscalationTrigger = (typeof ESCALATION_TRIGGERS)[number];

/**
 * One run of the deadline escalation: what it was asked and what it changed. The counts grow with
 * each committed batch, so that a run whose process was killed still shows what it did.
 */
@Entity('escalation_runs')
export class EscalationRun {
  @PrimaryGeneratedColumn()
  id!: number;

  /** The day the levels were worked out for (YYYY-MM-DD in APP_TIMEZONE). */
  @Column({ type: 'date' })
  asOf!: string;

  @Column({ type: 'varchar', length: 16 })
  trigger!: EscalationTrigger;

  /** The admin who asked for it; null for the schedule. */
  @Column({ type: 'int', nullable: true })
  startedBy!: number | null;

  /** Counted what would change, wrote nothing else. */
  @Column({ type: 'boolean', default: false })
  dryRun!: boolean;

  /** Items raised to level 1 … 4 by this run (each item counted once, at the level it reached). */
  @Column({ type: 'int', default: 0 })
  level1!: number;

  @Column({ type: 'int', default: 0 })
  level2!: number;

  @Column({ type: 'int', default: 0 })
  level3!: number;

  @Column({ type: 'int', default: 0 })
  level4!: number;

  @Column({ type: 'int', default: 0 })
  escalated!: number;

  @Column({ type: 'int', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'datetime' })
  startedAt!: Date;

  /** Null while running, and for a run that failed (see error) or was interrupted. */
  @Column({ type: 'datetime', nullable: true })
  finishedAt!: Date | null;

  /** The run's last sign of life: its start, then each batch it committed (with the counts so far). */
  @Column({ type: 'datetime', nullable: true })
  heartbeatAt!: Date | null;

  /** Why the run stopped; the batches before it stay applied and a re-run finishes the work. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;
}
