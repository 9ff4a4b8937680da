import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type EntityManager, IsNull, Not } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { User } from '../auth/user.entity.js';
import { AppError } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { dateText, daysBetween } from '../common/dates.js';
import type { Page } from '../common/pagination.js';
import { PROJECT_ROOT } from '../config/paths.js';
import { chunk } from '../common/sql.js';
import { DEPARTMENT_LABELS, ESCALATION_LABELS } from '../ledger/item-labels.js';
import { ItemTexts } from '../ledger/item-texts.js';
import { type EscalationStep, ItemLevels } from '../ledger/item-levels.service.js';
import { type ReviewNotice, ReviewNotices } from '../ledger/review-notices.js';
import { Region } from '../regions/region.entity.js';
import type { ListNotificationsQuery } from './dto/list-notifications.query.js';
import { Notification, type NotificationKind } from './notification.entity.js';
import { RecipientDirectory } from './recipient-directory.js';
import { type Digest, DIGEST_LINES, digestLink, splitDigests } from './notice-digest.js';

export type { EscalationStep };
export { RecipientDirectory };

/** What each kind of notice is, in the inbox's words. */
export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  escalation: '到期提醒',
  close_requested: '待审核',
  close_rejected: '审核退回',
  digest: '到期汇总',
};

export interface NotificationView {
  id: number;
  itemId: number;
  /** escalation (the daily job), close_requested (待审核, to the reviewers), close_rejected (审核退回, to the requester). */
  kind: NotificationKind;
  /** 到期提醒, 待审核, 审核退回. */
  kindName: string;
  /** The escalation level reached; for the other kinds, the item's level when the notice was written. */
  level: number;
  /** 提醒, 预警, 逾期, 督办. */
  levelName: string;
  title: string;
  body: string;
  /** Where the notice leads: its item, or for a digest the 台账 filtered to its level. */
  link: string;
  createdAt: Date;
  readAt: Date | null;
}

/** What a template gets: plain values; the notice is plain text. */
interface NoticeData {
  itemId: number;
  title: string;
  regionName: string;
  deptName: string;
  deadline: string;
  asOf: string;
  daysLeft: number;
  daysOverdue: number;
  /** 销号 requested, waiting for the department's review: the notice speaks to the reviewers. */
  pendingReview: boolean;
}

/** What a review notice's template gets (close-requested.hbs, close-rejected.hbs). */
interface ReviewNoticeData {
  itemId: number;
  title: string;
  regionName: string;
  deptName: string;
  /** The requester (close_requested) or the reviewer (close_rejected). */
  actorName: string;
  date: string;
  note: string;
  evidenceCount: number;
}

/** What the digest template gets (digest.hbs). */
interface DigestData {
  levelName: string;
  count: number;
  asOf: string;
  /** One line per item named: title, sub-district, deadline, number. */
  lines: string[];
  /** Items beyond DIGEST_LINES, counted only. */
  more: number;
}

const TITLE_MAX = 255;
/** Notices per multi-row INSERT (8 parameters each). */
const ROWS_PER_INSERT = 500;

/**
 * The in-app inbox: notices rendered from views/notifications/level-N.hbs (escalation) and
 * close-requested.hbs / close-rejected.hbs (销号审核), and each user's own list.
 */
@Injectable()
export class NotificationsService implements OnModuleInit {
  /** Compiled once at start, from files only (never from input), by a Handlebars instance of our own. */
  private readonly templates: Map<number, Handlebars.TemplateDelegate<NoticeData>>;
  private readonly reviewTemplates: Record<ReviewNotice['kind'], Handlebars.TemplateDelegate<ReviewNoticeData>>;
  private readonly digestTemplate: Handlebars.TemplateDelegate<DigestData>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly items: ItemTexts,
    private readonly levels: ItemLevels,
    private readonly reviews: ReviewNotices,
  ) {
    const handlebars = Handlebars.create();
    const folder = join(PROJECT_ROOT, 'views', 'notifications');
    // Notices are plain text (for the inbox now, SMS or mail later): pages escape them on output.
    const compile = <T>(name: string) =>
      handlebars.compile<T>(readFileSync(join(folder, `${name}.hbs`), 'utf8'), { strict: true, noEscape: true });
    this.templates = new Map([1, 2, 3, 4].map((level) => [level, compile<NoticeData>(`level-${level}`)]));
    this.reviewTemplates = {
      close_requested: compile<ReviewNoticeData>('close-requested'),
      close_rejected: compile<ReviewNoticeData>('close-rejected'),
    };
    this.digestTemplate = compile<DigestData>('digest');
  }

  /**
   * Items filed already due are escalated as they are filed, and close requests and rejections are
   * told as they happen: their notices are sent from here, in the ledger's transaction.
   */
  onModuleInit(): void {
    this.levels.useNotifier(async (em, steps, asOf) => {
      await this.notify(em, await this.directory(em), steps, asOf);
    });
    this.reviews.useNotifier(async (em, notice) => {
      await this.notifyReview(em, notice);
    });
  }

  /** Reads the recipients (active users) and the sub-district names once for a run. */
  async directory(em: EntityManager = this.db.manager): Promise<RecipientDirectory> {
    const [users, regions] = await Promise.all([
      em.find(User, { select: { id: true, role: true, regionCode: true }, where: { active: true } }),
      em.find(Region, { select: { code: true, name: true }, where: { level: 'subdistrict' } }),
    ]);
    return new RecipientDirectory(users, new Map(regions.map((r) => [r.code, r.name])));
  }

  /** The title and body of the notice for one step (plain text). */
  render(step: EscalationStep, asOf: string, directory: RecipientDirectory): { title: string; body: string } {
    const template = this.templates.get(step.level);
    if (!template) {
      throw new Error(`no notification template for level ${step.level}`);
    }
    const daysLeft = daysBetween(asOf, step.deadline);
    const text = template({
      itemId: step.itemId,
      title: step.title,
      regionName: directory.regionName(step.regionCode),
      deptName: DEPARTMENT_LABELS[step.responsibleDept],
      deadline: dateText(step.deadline),
      asOf: dateText(asOf),
      daysLeft: Math.max(daysLeft, 0),
      daysOverdue: Math.max(-daysLeft, 0),
      pendingReview: step.pendingReview ?? false,
    }).trim();
    return titleAndBody(text);
  }

  /**
   * The notices of a review step, in the caller's transaction (SPEC §6.2): a close request to the
   * active reviewers of the item's department (not to the requester, nor to every admin); a
   * rejection to the requester. Returns the number written.
   */
  async notifyReview(em: EntityManager, notice: ReviewNotice): Promise<number> {
    const directory = await this.directory(em);
    const userIds =
      notice.kind === 'close_requested'
        ? directory.reviewers(notice.item.responsibleDept).filter((id) => id !== notice.requesterId)
        : [notice.requesterId];
    if (userIds.length === 0) {
      return 0;
    }
    const { title, body } = titleAndBody(
      this.reviewTemplates[notice.kind]({
        itemId: notice.item.id,
        title: notice.item.title,
        regionName: directory.regionName(notice.item.regionCode),
        deptName: DEPARTMENT_LABELS[notice.item.responsibleDept],
        actorName: notice.actorName,
        date: dateText(this.clock.dateOf(new Date(notice.at))),
        note: notice.note,
        evidenceCount: notice.evidenceCount,
      }).trim(),
    );
    const createdAt = this.clock.now();
    await em
      .createQueryBuilder()
      .insert()
      .into(Notification)
      .values(
        userIds.map((userId) => ({
          userId,
          itemId: notice.item.id,
          kind: notice.kind,
          level: notice.item.escalationLevel,
          title,
          body,
          createdAt,
          readAt: null,
        })),
      )
      .updateEntity(false)
      .execute();
    return userIds.length;
  }

  /**
   * Writes one notice per recipient per step — or, for a user who would get more than
   * DIGEST_THRESHOLD of one level from this call (one batch of the run), one digest naming them —
   * with multi-row INSERTs in the caller's transaction (the escalation batch that raised the items).
   * Returns the number written.
   */
  async notify(
    em: EntityManager,
    directory: RecipientDirectory,
    steps: readonly EscalationStep[],
    asOf: string,
  ): Promise<number> {
    const createdAt = this.clock.now();
    const addressed = steps.flatMap((step) =>
      directory
        .recipients(step.level, step.regionCode, step.responsibleDept, step.pendingReview)
        .map((userId) => ({ userId, step })),
    );
    const { single, digests } = splitDigests(addressed);
    const rendered = new Map<EscalationStep, { title: string; body: string }>();
    const rows: Omit<Notification, 'id'>[] = single.map(({ userId, step }) => {
      if (!rendered.has(step)) {
        rendered.set(step, this.render(step, asOf, directory));
      }
      return {
        userId,
        itemId: step.itemId,
        kind: 'escalation',
        level: step.level,
        ...rendered.get(step)!,
        createdAt,
        readAt: null,
      };
    });
    // The digests' item texts as each recipient's role reads them: the subjects looked up once for the batch.
    const texts = await this.items.textsForRoles(
      digests.map((d) => directory.roleOf(d.userId) ?? 'viewer'),
      digests.flatMap((d) => d.steps.slice(0, DIGEST_LINES).map((s) => s.itemId)),
    );
    // A batch's digests quote thousands of items with a few dozen deadlines: each date is written out once.
    const dates = new Map<string, string>();
    const dateOf = (date: string) => dates.get(date) ?? dates.set(date, dateText(date)).get(date)!;
    for (const digest of digests) {
      rows.push({
        userId: digest.userId,
        itemId: digest.steps[0].itemId,
        kind: 'digest',
        level: digest.level,
        ...this.renderDigest(digest, asOf, directory, texts.get(directory.roleOf(digest.userId) ?? 'viewer')!, dateOf),
        createdAt,
        readAt: null,
      });
    }
    for (const part of chunk(rows, ROWS_PER_INSERT)) {
      await em.createQueryBuilder().insert().into(Notification).values(part).updateEntity(false).execute();
    }
    return rows.length;
  }

  /**
   * A digest's title and body: its items one a line, their titles as the recipient's role may read
   * them (the notice quotes many items, so it is redacted as it is written, not only as it is read).
   */
  private renderDigest(
    digest: Digest,
    asOf: string,
    directory: RecipientDirectory,
    text: (itemId: number, text: string) => string,
    dateOf: (date: string) => string,
  ): { title: string; body: string } {
    const shown = digest.steps.slice(0, DIGEST_LINES);
    return titleAndBody(
      this.digestTemplate({
        levelName: ESCALATION_LABELS[digest.level] ?? String(digest.level),
        count: digest.steps.length,
        asOf: dateText(asOf),
        lines: shown.map(
          (s) =>
            `· ${text(s.itemId, s.title)}（${directory.regionName(s.regionCode)}，截止${dateOf(s.deadline)}${s.pendingReview ? '，已申请销号' : ''}，编号${s.itemId}）`,
        ),
        more: digest.steps.length - shown.length,
      }).trim(),
    );
  }

  /** Marks all the caller's unread notices read, in one UPDATE; answers how many it marked. */
  async markAllRead(user: AuthUser): Promise<{ marked: number }> {
    const result = await this.db
      .createQueryBuilder()
      .update(Notification)
      .set({ readAt: this.clock.now() })
      .where('userId = :userId AND readAt IS NULL', { userId: user.id })
      .execute();
    return { marked: result.affected ?? 0 };
  }

  /**
   * The caller's own notices, newest first; `unread` counts all their unread ones. A notice quotes
   * its item's title: it is read as the caller may read the item's texts (no resident's name for
   * the leadership, no sensitive diagnosis but for those who treat it), whatever the stored text.
   */
  async list(user: AuthUser, query: ListNotificationsQuery): Promise<Page<NotificationView> & { unread: number }> {
    const repo = this.db.getRepository(Notification);
    const readAt = query.unread === undefined ? undefined : query.unread ? IsNull() : Not(IsNull());
    const [rows, total] = await repo.findAndCount({
      where: { userId: user.id, ...(readAt ? { readAt } : {}) },
      order: { id: 'DESC' },
      skip: query.offset,
      take: query.pageSize,
    });
    const unread = await repo.countBy({ userId: user.id, readAt: IsNull() });
    const text = await this.items.textsFor(
      user,
      rows.map((n) => n.itemId),
    );
    const items = rows.map((n) => ({ ...toView(n), title: text(n.itemId, n.title), body: text(n.itemId, n.body) }));
    return { items, total, page: query.page, pageSize: query.pageSize, unread };
  }

  /** Marks one of the caller's notices read (again: no change). Another user's is "not found". */
  async markRead(user: AuthUser, id: number): Promise<NotificationView> {
    const repo = this.db.getRepository(Notification);
    const notice = await repo.findOneBy({ id, userId: user.id });
    if (!notice) {
      throw AppError.notFound(`notification ${id}`);
    }
    if (notice.readAt === null) {
      await repo.update({ id, userId: user.id, readAt: IsNull() }, { readAt: this.clock.now() });
    }
    const read = toView(await repo.findOneByOrFail({ id }));
    const text = await this.items.textsFor(user, [notice.itemId]);
    return { ...read, title: text(notice.itemId, read.title), body: text(notice.itemId, read.body) };
  }
}

function toView(n: Notification): NotificationView {
  return {
    id: n.id,
    itemId: n.itemId,
    kind: n.kind,
    kindName: NOTIFICATION_KIND_LABELS[n.kind] ?? n.kind,
    level: n.level,
    levelName: ESCALATION_LABELS[n.level] ?? String(n.level),
    title: n.title,
    body: n.body,
    link: n.kind === 'digest' ? digestLink(n.level) : `/items/${n.itemId}`,
    createdAt: n.createdAt,
    readAt: n.readAt,
  };
}

/** A rendered notice: its first line is the title, the rest the body. */
function titleAndBody(text: string): { title: string; body: string } {
  const [title, ...body] = text.split('\n');
  return { title: truncate(title.trim(), TITLE_MAX), body: body.join('\n').trim() };
}

/** At most `max` characters, without cutting an HTML entity (&amp;) in half. */
function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) {
    return text;
  }
  return `${chars
    .slice(0, max - 1)
    .join('')
    .replace(/&[#a-zA-Z0-9]*$/, '')}…`;
}
