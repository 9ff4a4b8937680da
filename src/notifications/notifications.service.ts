import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Handlebars from 'handlebars';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type EntityManager, IsNull, Not } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import type { Role } from '../auth/roles.js';
import { User } from '../auth/user.entity.js';
import { AppError } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { dateText, daysBetween } from '../common/dates.js';
import type { Page } from '../common/pagination.js';
import { PROJECT_ROOT } from '../config/paths.js';
import { chunk } from '../common/sql.js';
import { DEPARTMENT_LABELS, ESCALATION_LABELS } from '../ledger/item-labels.js';
import { ItemViews } from '../ledger/item-views.js';
import type { Department } from '../ledger/item.entity.js';
import { type EscalationStep, ItemLevels } from '../ledger/item-levels.service.js';
import { Region } from '../regions/region.entity.js';
import type { ListNotificationsQuery } from './dto/list-notifications.query.js';
import { Notification } from './notification.entity.js';

export type { EscalationStep };

export interface NotificationView {
  id: number;
  itemId: number;
  level: number;
  /** 提醒, 预警, 逾期, 督办. */
  levelName: string;
  title: string;
  body: string;
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
}

/**
 * Who is told at each level (SPEC §2): the active users of the item's sub-district, its
 * department's caseworkers, the admins and the leadership, read once per escalation run.
 */
export class RecipientDirectory {
  private readonly officers = new Map<string, number[]>();
  private readonly byRole = new Map<Role, number[]>();

  constructor(
    users: Pick<User, 'id' | 'role' | 'regionCode'>[],
    private readonly regionNames: Map<string, string>,
  ) {
    for (const user of users) {
      if (user.role === 'subdistrict_officer' && user.regionCode) {
        this.officers.set(user.regionCode, [...(this.officers.get(user.regionCode) ?? []), user.id]);
      } else {
        this.byRole.set(user.role, [...(this.byRole.get(user.role) ?? []), user.id]);
      }
    }
  }

  /**
   * Level 1: officers of the sub-district; 2: + the caseworkers of the responsible department
   * (卫健局 health_caseworker or 医保局 insurance_reconciler); 3: + admins; 4: + viewers.
   */
  recipients(level: number, regionCode: string, dept: Department): number[] {
    const ids = [...(this.officers.get(regionCode) ?? [])];
    if (level >= 2) {
      ids.push(...(this.byRole.get(dept === 'insurance' ? 'insurance_reconciler' : 'health_caseworker') ?? []));
    }
    if (level >= 3) {
      ids.push(...(this.byRole.get('admin') ?? []));
    }
    if (level >= 4) {
      ids.push(...(this.byRole.get('viewer') ?? []));
    }
    return [...new Set(ids)];
  }

  regionName(code: string): string {
    return this.regionNames.get(code) ?? code;
  }
}

const TITLE_MAX = 255;
/** Notices per multi-row INSERT (7 parameters each). */
const ROWS_PER_INSERT = 500;

/** The in-app inbox: notices rendered from views/notifications/level-N.hbs, and each user's own list. */
@Injectable()
export class NotificationsService implements OnModuleInit {
  /** Compiled once at start, from files only (never from input), by a Handlebars instance of our own. */
  private readonly templates: Map<number, Handlebars.TemplateDelegate<NoticeData>>;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly items: ItemViews,
    private readonly levels: ItemLevels,
  ) {
    const handlebars = Handlebars.create();
    const folder = join(PROJECT_ROOT, 'views', 'notifications');
    this.templates = new Map(
      [1, 2, 3, 4].map((level) => [
        level,
        // Notices are plain text (for the inbox now, SMS or mail later): pages escape them on output.
        handlebars.compile<NoticeData>(readFileSync(join(folder, `level-${level}.hbs`), 'utf8'), {
          strict: true,
          noEscape: true,
        }),
      ]),
    );
  }

  /** Items filed already due are escalated as they are filed: their notices are sent from here. */
  onModuleInit(): void {
    this.levels.useNotifier(async (em, steps, asOf) => {
      await this.notify(em, await this.directory(em), steps, asOf);
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
    }).trim();
    const [title, ...body] = text.split('\n');
    return { title: truncate(title.trim(), TITLE_MAX), body: body.join('\n').trim() };
  }

  /**
   * Writes one notice per recipient per step, with multi-row INSERTs in the caller's transaction
   * (the escalation batch that raised the items). Returns the number written.
   */
  async notify(
    em: EntityManager,
    directory: RecipientDirectory,
    steps: readonly EscalationStep[],
    asOf: string,
  ): Promise<number> {
    const createdAt = this.clock.now();
    const rows = steps.flatMap((step) => {
      const userIds = directory.recipients(step.level, step.regionCode, step.responsibleDept);
      if (userIds.length === 0) {
        return [];
      }
      const { title, body } = this.render(step, asOf, directory);
      return userIds.map((userId) => ({
        userId,
        itemId: step.itemId,
        level: step.level,
        title,
        body,
        createdAt,
        readAt: null,
      }));
    });
    for (const part of chunk(rows, ROWS_PER_INSERT)) {
      await em.createQueryBuilder().insert().into(Notification).values(part).updateEntity(false).execute();
    }
    return rows.length;
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
    level: n.level,
    levelName: ESCALATION_LABELS[n.level] ?? String(n.level),
    title: n.title,
    body: n.body,
    createdAt: n.createdAt,
    readAt: n.readAt,
  };
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
