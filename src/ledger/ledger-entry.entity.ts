import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Item } from './item.entity.js';

export const LEDGER_ENTRY_TYPES = [
  'created',
  'started',
  'progress',
  'closed',
  'reopened',
  'escalated',
  'deadline_changed',
  'reassigned',
  /** Another finder (a check, a reconciliation) found the gap this open item is for: a note, no change. */
  'found_again',
  /** 佐证材料: one uploaded file; the payload carries its sha256, name, type and size. */
  'attachment_added',
  /** 销号申请 (closeReview on): the resolution and the evidence hashes; the item waits as pending_review. */
  'close_requested',
  /** 审核退回: the reviewer's comment; the item returns to in_progress. */
  'close_rejected',
  /** 批注: a note by anyone who may read the item. */
  'comment',
  /** 责任人 named or changed (name; the phone masked in the payload). */
  'assignee_changed',
] as const;
export type LedgerEntryType = (typeof LEDGER_ENTRY_TYPES)[number];

/**
 * 台账记录: one step in an item's history. Insert-only: nothing in the code updates or deletes a
 * row, and `hash` chains each entry to the one before (see hash-chain.ts).
 */
@Entity('ledger_entries')
@Index('UQ_ledger_entries_item_seq', ['itemId', 'seq'], { unique: true })
export class LedgerEntry {
  @PrimaryGeneratedColumn()
  id!: number;

  @ForeignKey(() => Item, { name: 'FK_ledger_entries_item', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'int' })
  itemId!: number;

  /** 1, 2, 3, … per item. */
  @Column({ type: 'int' })
  seq!: number;

  @Column({ type: 'varchar', length: 24 })
  type!: LedgerEntryType;

  /** Null when the system acted (the escalation job). */
  @Column({ type: 'int', nullable: true })
  actorId!: number | null;

  @Column({ type: 'varchar', length: 64 })
  actorName!: string;

  /** The instant as an ISO string with milliseconds, so that the hash recomputes the same on every database. */
  @Column({ type: 'varchar', length: 24 })
  at!: string;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  /** Canonical JSON (RFC 8785) of the entry's details, stored as the very string that was hashed. */
  @Column({ type: 'text', nullable: true })
  payload!: string | null;

  @Column({ type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}
