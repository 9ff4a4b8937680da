import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One run of the gap checks (查漏补缺): who asked, for which campaign and day, whether it was a dry
 * run, and what it found and opened. The checks file their items in one transaction, so a run is
 * done (counts written), failed (error) or, when its process died meanwhile, interrupted.
 */
@Entity('check_runs')
export class CheckRun {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  campaignId!: number;

  /** The day the rules were evaluated for (YYYY-MM-DD). */
  @Column({ type: 'date' })
  asOf!: string;

  /** The user who asked for it. */
  @Column({ type: 'int', nullable: true })
  startedBy!: number | null;

  /** Counted what it would open, wrote nothing else. */
  @Column({ type: 'boolean', default: false })
  dryRun!: boolean;

  /** Gaps found, whether or not an item held them already. */
  @Column({ type: 'int', default: 0 })
  found!: number;

  /** Items opened (a dry run: that it would open). */
  @Column({ type: 'int', default: 0 })
  opened!: number;

  /** Per rule, as JSON: `{"not_insured": {"found": 3, "opened": 1}, …}`; null until the run is done. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  byRule!: string | null;

  @Column({ type: 'int', nullable: true })
  durationMs!: number | null;

  @Column({ type: 'datetime' })
  startedAt!: Date;

  /** Null while running, and for a run that failed (see error) or was interrupted. */
  @Column({ type: 'datetime', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  error!: string | null;
}
