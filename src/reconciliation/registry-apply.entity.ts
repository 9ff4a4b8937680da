import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Reconciliation } from './reconciliation.entity.js';

export const REGISTRY_APPLY_STATUSES = ['applying', 'done'] as const;
export type RegistryApplyStatus = (typeof REGISTRY_APPLY_STATUSES)[number];

/**
 * One 写入登记信息 of a poverty roster's chosen kinds, written in batches: what was confirmed, the
 * registry's version after its last committed batch and how far it got. An apply left `applying`
 * (its process killed, say) resumes from there: the changes still to make are planned again against
 * the registry, which must be as the last batch left it.
 */
@Entity('registry_applies')
@Index('IDX_registry_applies_reconciliation', ['reconciliationId', 'id'])
export class RegistryApply {
  @PrimaryGeneratedColumn()
  id!: number;

  @ForeignKey(() => Reconciliation, {
    name: 'FK_registry_applies_reconciliation',
    onDelete: 'CASCADE',
    onUpdate: 'RESTRICT',
  })
  @Column({ type: 'int' })
  reconciliationId!: number;

  /** The reconciliation's id while the apply is under way, NULL once done: unique, one apply at a time per reconciliation. */
  @Index('UQ_registry_applies_applying', { unique: true })
  @Column({ type: 'int', nullable: true })
  applying!: number | null;

  @Column({ type: 'varchar', length: 16 })
  status!: RegistryApplyStatus;

  /** The applied kinds, comma-separated. */
  @Column({ type: 'varchar', length: 160 })
  kinds!: string;

  /** The preview's token the apply was confirmed with (or confirmed again with, after a new preview). */
  @Column({ type: 'varchar', length: 32 })
  confirm!: string;

  /** The run writing it now; a new request or restart takes over with a token of its own. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  runToken!: string | null;

  /** The registry's version (registry-version.ts) after the last committed batch. */
  @Column({ type: 'varchar', length: 96 })
  registryVersion!: string;

  /** Changes the confirmed preview listed. */
  @Column({ type: 'int' })
  planned!: number;

  /** Changes written so far (every run together). */
  @Column({ type: 'int', default: 0 })
  applied!: number;

  @Column({ type: 'int' })
  startedById!: number;

  /** Their name then (a resumed apply writes its changes under it). */
  @Column({ type: 'varchar', length: 64 })
  startedByName!: string;

  @Column({ type: 'datetime' })
  startedAt!: Date;

  @Column({ type: 'datetime', nullable: true })
  finishedAt!: Date | null;
}
