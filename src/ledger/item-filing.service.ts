import { Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { subdistrictOf } from '../regions/region-codes.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { chunk } from '../common/sql.js';
import { Campaign } from './campaign.entity.js';
import { levelDue } from './escalation-policy.js';
import { ESCALATION_LABELS } from './item-labels.js';
import { type EscalationStep, ItemLevels } from './item-levels.service.js';
import { type Department, Item, type ItemCategory, type ItemSource, type SubjectType } from './item.entity.js';
import { LedgerEntry } from './ledger-entry.entity.js';
import { type LedgerActor, LedgerService, SYSTEM_ACTOR } from './ledger.service.js';

/** An item filed by the system (gap checks, reconciliation, demo data) through createMany. */
export interface NewItem {
  campaignId: number;
  category: ItemCategory;
  title: string;
  description?: string | null;
  subjectType?: SubjectType | null;
  subjectId?: number | null;
  /** A village or sub-district code; stored as the sub-district. */
  regionCode: string;
  responsibleDept: Department;
  /** Default: the campaign's deadline. */
  deadline?: string;
  source: ItemSource;
  /** e.g. `chronic_without_contract:person:123`: an item is not filed while another with this key is open. */
  dedupeKey: string;
  /** Older keys of the same gap (see gap-keys.ts): an open item under one of them counts as this gap's. */
  aliasKeys?: readonly string[];
  /**
   * Who found it (`check:not_insured`, `reconciliation:17`): when another source's open item holds
   * the gap already, this finder adds one `found_again` entry to it (once per finder) instead.
   */
  finder?: string;
  /** The note of that entry (what this finder saw). */
  finderNote?: string;
}

/** An item as fileMany inserts it: in its sub-district, with its deadline and the level it is filed at. */
export interface PlannedItem {
  campaignId: number;
  category: ItemCategory;
  title: string;
  description: string | null;
  subjectType: SubjectType | null;
  subjectId: number | null;
  regionCode: string;
  responsibleDept: Department;
  deadline: string;
  source: ItemSource;
  dedupeKey: string;
  escalationLevel: number;
}

/** Rows per multi-row INSERT of items (about 17 parameters each), keys per IN list. */
const ITEMS_PER_INSERT = 300;
const KEYS_PER_QUERY = 1000;

/**
 * Bulk filing of items (the gap checks, reconciliation, demo data): one item per gap at most, items
 * filed already due escalated as they are filed, and a note on the open item when another source
 * finds its gap again. Runs in the caller's transaction.
 */
@Injectable()
export class ItemFilingService {
  constructor(
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly levels: ItemLevels,
  ) {}

  /**
   * Files many items at once (the gap checks, reconciliation, demo data): skips those whose gap is
   * already held by an open item (its dedupeKey or one of its aliasKeys; repeats within `items` too),
   * inserts the rest with multi-row INSERTs and their `created` entries likewise, escalated straight
   * away when they are filed already due. An open item of another source that holds the gap gets one
   * `found_again` entry per finder instead. Runs in the caller's transaction; the input is trusted
   * (the database's constraints still apply). A concurrent run inserting the same key fails on the
   * unique openKey and rolls back with its transaction. Returns the number of items created.
   */
  async fileMany(em: EntityManager, items: readonly NewItem[], actor: LedgerActor): Promise<number> {
    const { rows: planned, held } = await this.sort(em, items);
    await this.noteFoundAgain(em, held, actor);
    if (planned.length === 0) {
      return 0;
    }
    const rows = planned.map((row) => ({ ...row, openKey: row.dedupeKey, createdById: actor.id }));
    for (const part of chunk(rows, ITEMS_PER_INSERT)) {
      await em.createQueryBuilder().insert().into(Item).values(part).updateEntity(false).execute();
    }
    const idOf = new Map<string, number>();
    for (const keys of chunk(
      rows.map((r) => r.openKey),
      KEYS_PER_QUERY,
    )) {
      const created = await em.find(Item, { select: { id: true, openKey: true }, where: { openKey: In(keys) } });
      created.forEach((row) => idOf.set(row.openKey!, row.id));
    }
    const at = this.clock.now().toISOString();
    const today = this.clock.today();
    await this.ledger.appendMany(
      em,
      rows.map(({ openKey: _openKey, createdById: _by, escalationLevel: _level, ...payload }) => ({
        itemId: idOf.get(payload.dedupeKey)!,
        type: 'created' as const,
        actor,
        at,
        payload,
      })),
    );
    await this.escalateFiled(
      em,
      rows
        .filter((r) => r.escalationLevel > 0)
        .map((r) => ({ itemId: idOf.get(r.dedupeKey)!, level: r.escalationLevel, ...r })),
      at,
      today,
    );
    return rows.length;
  }

  /**
   * What fileMany would file, writing nothing (a dry run's answer): the same sorting of held and
   * fresh gaps, and each fresh item as it would be inserted, with its deadline and level.
   */
  async plan(em: EntityManager, items: readonly NewItem[]): Promise<PlannedItem[]> {
    return (await this.sort(em, items)).rows;
  }

  /** The gaps an open item holds already (and which), and the rows of the others as they would be inserted. */
  private async sort(
    em: EntityManager,
    items: readonly NewItem[],
  ): Promise<{ rows: PlannedItem[]; held: Map<string, { item: NewItem; holder: Item }> }> {
    const byKey = new Map<string, NewItem>();
    for (const item of items) {
      if (!byKey.has(item.dedupeKey)) {
        byKey.set(item.dedupeKey, item);
      }
    }
    const held = await this.openHolders(em, [...byKey.values()]);
    held.forEach((_, key) => byKey.delete(key));
    const fresh = [...byKey.values()];
    if (fresh.length === 0) {
      return { rows: [], held };
    }
    const thresholds = await this.levels.thresholds(em, [...new Set(fresh.map((i) => i.campaignId))]);
    const deadlineOf = new Map(
      (
        await em.find(Campaign, {
          select: { id: true, deadline: true },
          where: { id: In([...thresholds.keys()]) },
        })
      ).map((c) => [c.id, c.deadline]),
    );
    const today = this.clock.today();
    const rows = fresh.map((i): PlannedItem => {
      const deadline = i.deadline ?? deadlineOf.get(i.campaignId);
      if (!deadline) {
        throw new AppError(ErrorCode.Invalid, `campaign ${i.campaignId} does not exist`, 'campaignId');
      }
      return {
        campaignId: i.campaignId,
        category: i.category,
        title: i.title,
        description: i.description ?? null,
        subjectType: i.subjectType ?? null,
        subjectId: i.subjectId ?? null,
        regionCode: subdistrictOf(i.regionCode),
        responsibleDept: i.responsibleDept,
        deadline,
        source: i.source,
        dedupeKey: i.dedupeKey,
        escalationLevel: levelDue(deadline, thresholds.get(i.campaignId)!, today),
      };
    });
    return { rows, held };
  }

  /**
   * An item filed already due is escalated as it is filed, as the job would do that night: one
   * `escalated` entry (the step to the level reached) and the notices of that level, in the
   * filing's transaction. The level itself was written with the item.
   */
  async escalateFiled(
    em: EntityManager,
    filed: (Omit<EscalationStep, 'itemId' | 'level'> & { itemId: number; level: number })[],
    at: string,
    today: string,
  ): Promise<void> {
    if (filed.length === 0) {
      return;
    }
    await this.ledger.appendMany(
      em,
      filed.map((f) => ({
        itemId: f.itemId,
        type: 'escalated' as const,
        actor: SYSTEM_ACTOR,
        at,
        note: ESCALATION_LABELS[f.level],
        payload: { from: 0, to: f.level, asOf: today },
      })),
    );
    await this.levels.notify(
      em,
      filed.map((f) => ({
        itemId: f.itemId,
        title: f.title,
        regionCode: subdistrictOf(f.regionCode),
        responsibleDept: f.responsibleDept,
        deadline: f.deadline,
        level: f.level,
      })),
      today,
    );
  }

  /** The open items that hold the gaps of `items` already (by dedupeKey or alias), by the new item's key. */
  private async openHolders(
    em: EntityManager,
    items: NewItem[],
  ): Promise<Map<string, { item: NewItem; holder: Item }>> {
    const keyOf = new Map<string, string>();
    for (const item of items) {
      for (const key of [item.dedupeKey, ...(item.aliasKeys ?? [])]) {
        keyOf.set(key, item.dedupeKey);
      }
    }
    const byKey = new Map(items.map((i) => [i.dedupeKey, i]));
    const held = new Map<string, { item: NewItem; holder: Item }>();
    for (const keys of chunk([...keyOf.keys()], KEYS_PER_QUERY)) {
      const open = await em.find(Item, {
        select: { id: true, openKey: true, source: true },
        where: { openKey: In(keys) },
      });
      for (const holder of open) {
        const key = keyOf.get(holder.openKey!)!;
        if (!held.has(key)) {
          held.set(key, { item: byKey.get(key)!, holder });
        }
      }
    }
    return held;
  }

  /**
   * A gap found by another source than the open item's (a reconciliation after a check, or the
   * reverse): one `found_again` entry on that item per finder, so it is closed once and its ledger
   * says who else saw it. The same finder again (a repeated run) writes nothing.
   */
  private async noteFoundAgain(
    em: EntityManager,
    held: Map<string, { item: NewItem; holder: Item }>,
    actor: LedgerActor,
  ): Promise<number> {
    const candidates = [...held.values()].filter(({ item, holder }) => item.finder && item.source !== holder.source);
    if (candidates.length === 0) {
      return 0;
    }
    const seen = new Set<string>();
    for (const ids of chunk(
      candidates.map((c) => c.holder.id),
      KEYS_PER_QUERY,
    )) {
      const notes = await em.find(LedgerEntry, {
        select: { itemId: true, payload: true },
        where: { itemId: In(ids), type: 'found_again' },
      });
      for (const note of notes) {
        const finder = note.payload ? (JSON.parse(note.payload) as { finder?: unknown }).finder : undefined;
        seen.add(`${note.itemId}|${String(finder)}`);
      }
    }
    const at = this.clock.now().toISOString();
    const fresh = candidates.filter(({ item, holder }) => {
      const key = `${holder.id}|${item.finder}`;
      return !seen.has(key) && (seen.add(key), true);
    });
    return this.ledger.appendMany(
      em,
      fresh.map(({ item, holder }) => ({
        itemId: holder.id,
        type: 'found_again' as const,
        actor,
        at,
        note: item.finderNote ?? item.title,
        payload: { finder: item.finder!, source: item.source, dedupeKey: item.dedupeKey },
      })),
    );
  }
}
