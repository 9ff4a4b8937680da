import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Reconciliation } from './reconciliation.entity.js';

/** SPEC §2 Reconciliation: what a roster and the registry can disagree about. */
export const DISCREPANCY_KINDS = [
  'registered_not_insured',
  'insured_not_registered',
  'name_mismatch',
  'deceased_insured',
  'invalid_id',
  'duplicate_row',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

export const DISCREPANCY_LABELS: Record<DiscrepancyKind, string> = {
  registered_not_insured: '在册未参保',
  insured_not_registered: '资助参保但未在册',
  name_mismatch: '姓名不一致',
  deceased_insured: '已故仍参保',
  invalid_id: '身份证号无效',
  duplicate_row: '花名册重复行',
};

/** One disagreement found by a reconciliation. */
@Entity('discrepancies')
@Index('IDX_discrepancies_reconciliation_kind', ['reconciliationId', 'kind', 'id'])
export class Discrepancy {
  @PrimaryGeneratedColumn()
  id!: number;

  @ForeignKey(() => Reconciliation, {
    name: 'FK_discrepancies_reconciliation',
    onDelete: 'CASCADE',
    onUpdate: 'RESTRICT',
  })
  @Column({ type: 'int' })
  reconciliationId!: number;

  @Column({ type: 'varchar', length: 32 })
  kind!: DiscrepancyKind;

  /** As the roster (or the registry) gave it; never returned unmasked. */
  @Column({ type: 'varchar', length: 32 })
  idNumber!: string;

  /** The roster line; null for a registered person missing from the roster. */
  @Column({ type: 'int', nullable: true })
  line!: number | null;

  /** The registered person, when there is one. */
  @Column({ type: 'int', nullable: true })
  personId!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  rosterName!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  registryName!: string | null;

  /** The registered person's household region (village or sub-district). */
  @Column({ type: 'varchar', length: 12, nullable: true })
  regionCode!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  detail!: string | null;
}
