import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Department, ItemStatus } from './item.entity.js';

/** How many rows of item_counts one key is spread over (`slot` = the item's id modulo this). */
export const ITEM_COUNT_SLOTS = 8;

/**
 * How many items there are per sub-district, status, campaign and responsible department: the
 * list's exact total without counting a sub-district's rows (issue #21). Kept by triggers on
 * `items` (migrations/1765700000000-ItemCounts), so every writer — a close, a review, filing,
 * imports, the demo data — changes it in the same transaction as the item, and it never goes
 * stale. A key's count is spread over `slot`s (the item's id modulo ITEM_COUNT_SLOTS) so that
 * closes in one sub-district at the same time do not all wait for one row's lock; a total is the
 * sum over the slots. Nothing else writes it.
 */
@Entity('item_counts')
export class ItemCount {
  /** The sub-district (items.regionCode). */
  @PrimaryColumn({ type: 'varchar', length: 12 })
  regionCode!: string;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  status!: ItemStatus;

  @PrimaryColumn({ type: 'int' })
  campaignId!: number;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  responsibleDept!: Department;

  @PrimaryColumn({ type: 'int' })
  slot!: number;

  /** The number of such items (a key whose items all moved on keeps its row, at 0). */
  @Column({ type: 'int' })
  total!: number;
}
