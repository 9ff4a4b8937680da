import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Reconciliation } from './reconciliation.entity.js';

/** SPEC §2 Reconciliation: what the insurance bureau's roster and the registry can disagree about. */
export const INSURANCE_KINDS = [
  'registered_not_insured',
  'insured_not_registered',
  'name_mismatch',
  'deceased_insured',
  'invalid_id',
  'duplicate_row',
] as const;

/** SPEC §6.5: what the poverty office's register (扶贫办) and the registry can disagree about. */
export const POVERTY_KINDS = [
  'poverty_not_registered',
  'registered_not_in_poverty',
  'household_status_mismatch',
  'member_household_mismatch',
  'person_status_mismatch',
  'name_mismatch',
  'invalid_id',
  'duplicate_row',
] as const;

/** Every kind of either source, each once. */
export const DISCREPANCY_KINDS = [...new Set([...INSURANCE_KINDS, ...POVERTY_KINDS])] as readonly (
  (typeof INSURANCE_KINDS)[number] | (typeof POVERTY_KINDS)[number]
)[];
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

export const DISCREPANCY_LABELS: Record<DiscrepancyKind, string> = {
  registered_not_insured: '在册未参保',
  insured_not_registered: '资助参保但未在册',
  name_mismatch: '姓名不一致',
  deceased_insured: '已故仍参保',
  invalid_id: '身份证号无效',
  duplicate_row: '花名册重复行',
  poverty_not_registered: '扶贫办在册、本系统未登记',
  registered_not_in_poverty: '本系统在册、扶贫办无此人',
  household_status_mismatch: '户状态不一致',
  member_household_mismatch: '所在户不一致',
  person_status_mismatch: '人员状态不一致',
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

  /** The registered household the discrepancy is about (a household's status), when there is one. */
  @Column({ type: 'int', nullable: true })
  householdId!: number | null;

  /** The registered person's household region (village or sub-district). */
  @Column({ type: 'varchar', length: 12, nullable: true })
  regionCode!: string | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  detail!: string | null;
}
