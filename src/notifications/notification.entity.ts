import { Column, Entity, ForeignKey, Index, PrimaryGeneratedColumn } from 'typeorm';
import { User } from '../auth/user.entity.js';
import { Item } from '../ledger/item.entity.js';

export const NOTIFICATION_KINDS = ['escalation', 'close_rejected', 'close_requested', 'digest'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/**
 * A notice in a user's in-app inbox (提醒), written by the escalation job: one per recipient per
 * escalation step. `title` and `body` are plain text rendered from views/notifications/level-N.hbs;
 * a page escapes them on output like any other text.
 */
@Entity('notifications')
@Index('IDX_notifications_user_id', ['userId', 'id'])
@Index('IDX_notifications_user_read', ['userId', 'readAt'])
@Index('IDX_notifications_item', ['itemId'])
export class Notification {
  @PrimaryGeneratedColumn()
  id!: number;

  @ForeignKey(() => User, { name: 'FK_notifications_user', onDelete: 'CASCADE', onUpdate: 'RESTRICT' })
  @Column({ type: 'int' })
  userId!: number;

  @ForeignKey(() => Item, { name: 'FK_notifications_item', onDelete: 'RESTRICT', onUpdate: 'RESTRICT' })
  @Column({ type: 'int' })
  itemId!: number;

  /**
   * escalation (the daily job), close_rejected (审核退回, to the requester), close_requested (待审核, to
   * the reviewers), digest (到期汇总: the job's notices of one level for one user, when more than five).
   */
  @Column({ type: 'varchar', length: 16, default: 'escalation' })
  kind!: NotificationKind;

  /** The escalation level the item reached (1 提醒 … 4 督办); the item's level at the time for other kinds. */
  @Column({ type: 'int' })
  level!: number;

  @Column({ type: 'varchar', length: 255 })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'datetime' })
  createdAt!: Date;

  @Column({ type: 'datetime', nullable: true })
  readAt!: Date | null;
}
