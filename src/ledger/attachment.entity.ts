import { Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Item } from './item.entity.js';

export const EVIDENCE_TYPES = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

/**
 * 佐证材料: one file uploaded as evidence for an item. The bytes live content-addressed under
 * UPLOAD_DIR (by sha256), so two items holding the same photo share one file; the ledger entry
 * `attachment_added` carries the same sha256, and verify re-hashes the file against it.
 */
@Entity('attachments')
@Index('IDX_attachments_item', ['itemId', 'id'])
@Index('IDX_attachments_sha256', ['sha256'])
export class Attachment {
  @PrimaryGeneratedColumn()
  id!: number;

  @ForeignKey(() => Item, { name: 'FK_attachments_item', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'int' })
  itemId!: number;

  /** Hex sha256 of the bytes as uploaded. */
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  /** The file name the uploader gave (shown, never used as a path). */
  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** Recognised from the bytes, not from the name. */
  @Column({ type: 'varchar', length: 32 })
  type!: EvidenceType;

  @Column({ type: 'int' })
  size!: number;

  @Column({ type: 'int' })
  uploadedById!: number;

  @CreateDateColumn({ type: 'datetime' })
  createdAt!: Date;
}
