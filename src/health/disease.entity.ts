import { Column, Entity, PrimaryColumn } from 'typeorm';

export const DISEASE_KINDS = ['chronic', 'major'] as const;
/** chronic 慢病 (family-doctor contracts), major 大病专项救治病种. */
export type DiseaseKind = (typeof DISEASE_KINDS)[number];

/** 病种目录: seeded by migration. */
@Entity('diseases')
export class Disease {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  code!: string;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: DiseaseKind;

  /** Face-to-face follow-ups a year required by the basic public-health service (chronic only). */
  @Column({ type: 'int', nullable: true })
  followUpsPerYear!: number | null;

  /** Days from one follow-up to the next when the last reading is controlled (chronic only; hypertension, diabetes 90). */
  @Column({ type: 'int', nullable: true })
  followUpIntervalDays!: number | null;

  /** One of the four contract-priority diseases (高血压、2型糖尿病、肺结核、严重精神障碍). */
  @Column({ type: 'boolean', default: false })
  contractPriority!: boolean;
}
