import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { isInScope } from '../auth/region-scope.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { Clock } from '../common/clock.js';
import { daysBetween } from '../common/dates.js';
import { maskIdNumber } from '../common/id-number.js';
import { Region } from '../regions/region.entity.js';
import { maskPhone } from './assignee-phone.js';
import { Attachment } from './attachment.entity.js';
import { Campaign } from './campaign.entity.js';
import { currentLevel, type EscalationThresholds } from './escalation-policy.js';
import { actsOnDepartment } from './item-policy.js';
import {
  type Department,
  Item,
  type ItemCategory,
  type ItemSource,
  type ItemStatus,
  type SubjectType,
} from './item.entity.js';
import { LedgerEntry } from './ledger-entry.entity.js';
import type { RiskOutcome } from './risk-outcomes.js';
import type { ItemNames, Subject } from './item-lock.js';
import { type LedgerActor, type LedgerEntryView, LedgerService } from './ledger.service.js';
import { ItemTexts, subjectOf } from './item-texts.js';
import type { TextRedactor } from './text-redactor.js';

/** An item as every response shows it: SPEC names, plus names for codes and the days left. */
export interface ItemView {
  id: number;
  campaignId: number;
  campaignName: string | null;
  category: ItemCategory;
  title: string;
  description: string | null;
  subjectType: SubjectType | null;
  subjectId: number | null;
  /**
   * A person's name, a household's registry number, a region's name — a person's only for roles
   * that read persons, and a subject's only while it lies in the caller's scope.
   */
  subjectName: string | null;
  /** A person subject's ID number, masked (610102********1234), on the same terms as its name. */
  subjectIdNumber: string | null;
  regionCode: string;
  regionName: string | null;
  /** 村（社区）: the subject's household's village, on the same terms as the subject's name (else null). */
  villageName: string | null;
  responsibleDept: Department;
  deadline: string;
  /** deadline − today in days, negative when overdue; null once closed. */
  daysLeft: number | null;
  overdue: boolean;
  source: ItemSource;
  status: ItemStatus;
  /** The level the escalation job has recorded (it never lowers it). */
  escalationLevel: number;
  /**
   * The level as of today, the one pages show: for an item not closed, what the policy gives today
   * (the recorded level until tonight's run catches up); a closed item's recorded level.
   */
  currentLevel: number;
  version: number;
  resolution: string | null;
  /** 核实结果 of a risk_alert item (SPEC §6.6): monitored, assisted, low_income or no_risk; null otherwise. */
  outcome: RiskOutcome | null;
  closedAt: Date | null;
  /** 逾期销号: closed on a day after its deadline (in APP_TIMEZONE). */
  closedLate: boolean;
  /** 责任人 (SPEC §6.2), named by the officer or the caseworker. */
  assigneeName: string | null;
  /** 责任人 phone: in full to those who may name the 责任人 (readsAssigneePhone), masked (139****5678) to others. */
  assigneePhone: string | null;
  /** While 销号 waits for review (pending_review): when it was requested, and by whom. */
  closeRequestedAt: Date | null;
  closeRequestedBy: LedgerActor | null;
  /** 佐证材料: the files uploaded for the item. */
  attachmentCount: number;
  dedupeKey: string | null;
  createdById: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ItemDetail extends ItemView {
  ledger: LedgerEntryView[];
}

/**
 * What the page's own query read beside each item (the list: scalar subqueries on the rows it
 * returns), so that describing the page asks no more for them: its region's name, its campaign's
 * name and thresholds, its count of 佐证材料, its subject.
 */
export interface ItemExtras {
  regionName: string | null;
  campaign: Pick<Campaign, 'id' | 'name' | 'reminderDays' | 'warningDays' | 'supervisedDays'> | null;
  attachmentCount: number;
  /** The person or household the item is about (null for none, or a region). */
  subject: Subject | null;
}

/** The names a page of items' views is built from. */
interface Gathered {
  regionName: Map<string, string>;
  campaigns: Map<number, EscalationThresholds & { name: string }>;
  subjects: Map<string, Subject>;
  requesters: Map<number, LedgerActor>;
  attachments: Map<number, number>;
}

/**
 * The read model of items (issue #12): names, the days left, and what a role may read of an item's
 * texts and ledger. Titles, descriptions, notes and payloads pass through a TextRedactor for the
 * caller's role (ItemTexts); a subject is named only to roles that read persons, and only while it
 * lies in the caller's scope (an officer never learns another sub-district's resident through an item).
 */
@Injectable()
export class ItemViews {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly texts: ItemTexts,
  ) {}

  /** Views of a page of items: region, campaign and subject names, requesters and evidence counts in at most seven queries. */
  async describe(
    em: EntityManager,
    user: AuthUser,
    items: Item[],
    extras?: ReadonlyMap<number, ItemExtras>,
  ): Promise<ItemView[]> {
    return (await this.views(em, user, items, extras)).views;
  }

  /** An item's view and its ledger, the entries' notes and payloads as the caller may read them. */
  async detail(user: AuthUser, item: Item, entries: LedgerEntry[]): Promise<ItemDetail> {
    const { views, subjects, redactor } = await this.views(this.db.manager, user, [item]);
    return this.withLedger(item, views[0], entries, subjects, redactor);
  }

  private withLedger(
    item: Item,
    view: ItemView,
    entries: LedgerEntry[],
    subjects: Map<string, Subject>,
    redactor: TextRedactor,
  ): ItemDetail {
    const subject = subjectOf(subjects, item);
    return {
      ...view,
      ledger: entries.map((e) => {
        const entry = this.ledger.toView(e);
        return {
          ...entry,
          note: entry.note && redactor.text(entry.note, subject),
          payload: redactor.value(entry.payload, subject),
        };
      }),
    };
  }

  /**
   * An item's view and ledger from what ItemChanges read of it in its one locking read (see
   * `lockItem`), the row as the change left it and the entries as the answer lists them: no
   * further query but the redactor's catalogue, read once per process.
   */
  async detailFrom(user: AuthUser, item: Item, names: ItemNames, entries: LedgerEntry[]): Promise<ItemDetail> {
    const redactor = await this.texts.redactor(user);
    const subjects = new Map<string, Subject>();
    if (names.subject && (item.subjectType === 'person' || item.subjectType === 'household')) {
      subjects.set(`${item.subjectType}:${item.subjectId}`, names.subject);
    }
    const request = entries.filter((e) => e.type === 'close_requested').at(-1);
    const gathered: Gathered = {
      regionName: new Map(names.regionName === null ? [] : [[item.regionCode, names.regionName]]),
      campaigns: new Map(names.campaign ? [[item.campaignId, names.campaign]] : []),
      subjects,
      requesters: new Map(
        item.closeRequestedById === null
          ? []
          : [[item.id, { id: item.closeRequestedById, name: request?.actorName ?? '' }]],
      ),
      attachments: new Map([[item.id, names.attachmentCount]]),
    };
    return this.withLedger(item, this.build(user, [item], gathered, redactor)[0], entries, subjects, redactor);
  }

  private async views(
    em: EntityManager,
    user: AuthUser,
    items: Item[],
    extras?: ReadonlyMap<number, ItemExtras>,
  ): Promise<{ views: ItemView[]; subjects: Map<string, Subject>; redactor: TextRedactor }> {
    const redactor = await this.texts.redactor(user);
    if (items.length === 0) {
      return { views: [], subjects: new Map(), redactor };
    }
    const known = extras && items.every((i) => extras.has(i.id)) ? [...extras.values()] : null;
    const [regions, campaigns, subjects, requesters, attachments] = await Promise.all([
      known
        ? items.flatMap((i) => {
            const name = extras!.get(i.id)!.regionName;
            return name === null ? [] : [{ code: i.regionCode, name }];
          })
        : em.find(Region, {
            select: { code: true, name: true },
            where: { code: In([...new Set(items.map((i) => i.regionCode))]) },
          }),
      known
        ? known.flatMap((e) => (e.campaign ? [e.campaign] : []))
        : em.find(Campaign, {
            select: { id: true, name: true, reminderDays: true, warningDays: true, supervisedDays: true },
            where: { id: In([...new Set(items.map((i) => i.campaignId))]) },
          }),
      known ? subjectsOf(items, extras!) : this.texts.subjects(em, items),
      this.requesters(em, items),
      known ? new Map(items.map((i) => [i.id, extras!.get(i.id)!.attachmentCount])) : this.attachmentCounts(em, items),
    ]);
    const gathered: Gathered = {
      regionName: new Map(regions.map((r) => [r.code, r.name])),
      campaigns: new Map(campaigns.map((c) => [c.id, c])),
      subjects,
      requesters,
      attachments,
    };
    return { views: this.build(user, items, gathered, redactor), subjects, redactor };
  }

  /** The views of items from the names gathered for them. */
  private build(user: AuthUser, items: Item[], gathered: Gathered, redactor: TextRedactor): ItemView[] {
    const { regionName, campaigns, subjects, requesters, attachments } = gathered;
    const readsPersons = hasPermission(user.role, Permission.PersonsRead);
    const today = this.clock.today();
    return items.map((i) => {
      const open = i.status !== 'closed';
      const subject = subjectOf(subjects, i);
      const named = subject && isInScope(user, subject.regionCode) ? subject : null;
      const text = (value: string) => redactor.text(value, subject);
      const campaign = campaigns.get(i.campaignId);
      return {
        id: i.id,
        campaignId: i.campaignId,
        campaignName: campaign?.name ?? null,
        category: i.category,
        title: text(i.title),
        description: i.description && text(i.description),
        subjectType: i.subjectType,
        subjectId: i.subjectId,
        subjectName:
          i.subjectType === 'region'
            ? (regionName.get(i.regionCode) ?? null)
            : named && (i.subjectType === 'household' || readsPersons)
              ? named.label
              : null,
        subjectIdNumber: named?.idNumber && readsPersons ? maskIdNumber(named.idNumber) : null,
        regionCode: i.regionCode,
        regionName: regionName.get(i.regionCode) ?? null,
        villageName: named?.regionName ?? null,
        responsibleDept: i.responsibleDept,
        deadline: i.deadline,
        daysLeft: open ? daysBetween(today, i.deadline) : null,
        overdue: open && i.deadline < today,
        source: i.source,
        status: i.status,
        escalationLevel: i.escalationLevel,
        currentLevel: campaign ? currentLevel(i, campaign, today) : i.escalationLevel,
        version: i.version,
        resolution: i.resolution && text(i.resolution),
        outcome: i.outcome,
        closedAt: i.closedAt,
        closedLate: i.status === 'closed' && i.closedOn !== null && i.closedOn > i.deadline,
        assigneeName: i.assigneeName && text(i.assigneeName),
        assigneePhone: i.assigneePhone && (readsAssigneePhone(user, i) ? i.assigneePhone : maskPhone(i.assigneePhone)),
        closeRequestedAt: i.closeRequestedAt,
        closeRequestedBy: i.closeRequestedById === null ? null : (requesters.get(i.id) ?? null),
        attachmentCount: attachments.get(i.id) ?? 0,
        dedupeKey: i.dedupeKey,
        createdById: i.createdById,
        createdAt: i.createdAt,
        updatedAt: i.updatedAt,
      };
    });
  }

  /**
   * Who requested each pending 销号, named as the request's ledger entry names them (the ledger's own
   * record of the actor, as every entry keeps it): one query, for the items that wait for review.
   */
  private async requesters(em: EntityManager, items: Item[]): Promise<Map<number, LedgerActor>> {
    const pending = items.filter((i) => i.closeRequestedById !== null);
    if (pending.length === 0) {
      return new Map();
    }
    const entries = await em.find(LedgerEntry, {
      select: { itemId: true, seq: true, actorId: true, actorName: true },
      where: { itemId: In(pending.map((i) => i.id)), type: 'close_requested' },
      order: { seq: 'ASC' },
    });
    const requesters = new Map<number, LedgerActor>();
    for (const item of pending) {
      // The latest request is the pending one; its entry names the item's closeRequestedById.
      const entry = entries.filter((e) => e.itemId === item.id).at(-1);
      requesters.set(item.id, { id: item.closeRequestedById, name: entry?.actorName ?? '' });
    }
    return requesters;
  }

  /** How many 佐证材料 each item holds: one grouped query. */
  private async attachmentCounts(em: EntityManager, items: Item[]): Promise<Map<number, number>> {
    const rows = await em
      .createQueryBuilder(Attachment, 'a')
      .select('a.itemId', 'itemId')
      .addSelect('COUNT(*)', 'n')
      .where('a.itemId IN (:...ids)', { ids: items.map((i) => i.id) })
      .groupBy('a.itemId')
      .getRawMany<{ itemId: number | string; n: number | string }>();
    return new Map(rows.map((r) => [Number(r.itemId), Number(r.n)]));
  }
}

/**
 * Who reads a 责任人's phone in full: those who may name the 责任人 (the `assign` action's permission
 * and department rule) — an admin, the caseworkers, the officer of the item's sub-district (the only
 * officer who reads it at all), and insurance staff on insurance items. Everyone else (the leadership,
 * insurance staff on a health item) reads it masked, as the ledger keeps it.
 */
export function readsAssigneePhone(user: Pick<AuthUser, 'role'>, item: Pick<Item, 'responsibleDept'>): boolean {
  return hasPermission(user.role, Permission.ItemsAct) && actsOnDepartment(user.role, item.responsibleDept);
}

/** The subjects the page's extras name, keyed as ItemTexts.subjects keys them. */
function subjectsOf(items: Item[], extras: ReadonlyMap<number, ItemExtras>): Map<string, Subject> {
  const subjects = new Map<string, Subject>();
  for (const i of items) {
    const subject = extras.get(i.id)!.subject;
    if (subject) {
      subjects.set(`${i.subjectType}:${i.subjectId}`, subject);
    }
  }
  return subjects;
}
