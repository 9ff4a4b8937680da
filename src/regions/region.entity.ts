import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const REGION_LEVELS = ['district', 'subdistrict', 'village'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

/** 行政区划: a 12-digit statistical division code (省2 市2 县2 乡镇/街道3 村/社区3). */
@Entity('regions')
export class Region {
  @PrimaryColumn({ type: 'varchar', length: 12 })
  code!: string;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  level!: RegionLevel;

  @Index('IDX_regions_parentCode')
  @Column({ type: 'varchar', length: 12, nullable: true })
  parentCode!: string | null;
}
