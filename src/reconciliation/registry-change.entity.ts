import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What applying a poverty roster can change in the registry. */
export const REGISTRY_CHANGE_KINDS = [
  'household_added',
  'person_added',
  'household_status',
  'person_status',
  'person_household',
] as const;
export type RegistryChangeKind = (typeof REGISTRY_CHANGE_KINDS)[number];

/** One change written to the registry from a poverty roster (写入登记信息): who, when, which reconciliation, before → after. */
@Entity('registry_changes')
@Index('IDX_registry_changes_reconciliation', ['reconciliationId'])
@Index('IDX_registry_changes_household', ['householdId'])
@Index('IDX_registry_changes_from_household', ['fromHouseholdId'])
export class RegistryChange {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'int' })
  reconciliationId!: number;

  @Column({ type: 'varchar', length: 32 })
  change!: RegistryChangeKind;

  @Column({ type: 'int' })
  householdId!: number;

  /** A person's move (`person_household`): the household they left; null otherwise. */
  @Column({ type: 'int', nullable: true })
  fromHouseholdId!: number | null;

  /** Null for a change of the household itself. */
  @Column({ type: 'int', nullable: true })
  personId!: number | null;

  /** The value before (a status code, a 户编号); null for an addition. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  before!: string | null;

  @Column({ type: 'varchar', length: 32 })
  after!: string;

  @Column({ type: 'int' })
  changedById!: number;

  /** Who, by name as it was then; null for changes written before names were kept. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  changedByName!: string | null;

  @Column({ type: 'datetime' })
  changedAt!: Date;
}
