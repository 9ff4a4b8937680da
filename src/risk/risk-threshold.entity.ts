import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * 预警阈值 of a year (set by an admin): the previous year's rural per-capita disposable income and the
 * ratios of it a person's burden must reach — registered households' (default 50 %) and anyone
 * else's (100 %). Ratios in basis points (5000 = 50 %), income in fen.
 */
@Entity('risk_thresholds')
export class RiskThreshold {
  @PrimaryColumn({ type: 'int' })
  year!: number;

  /** 上年农村居民人均可支配收入 (fen). */
  @Column({ type: 'int' })
  ruralIncomeFen!: number;

  @Column({ type: 'int' })
  registeredRatioBp!: number;

  @Column({ type: 'int' })
  otherRatioBp!: number;

  @Column({ type: 'int', nullable: true })
  updatedById!: number | null;

  @UpdateDateColumn({ type: 'datetime' })
  updatedAt!: Date;
}
