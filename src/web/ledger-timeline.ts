import { DEPARTMENT_LABELS, ESCALATION_LABELS } from '../ledger/item-labels.js';
import type { LedgerEntryView } from '../ledger/ledger.service.js';
import { chineseDate } from './handlebars-helpers.js';

export interface TimelineEntry {
  seq: number;
  type: string;
  actorName: string;
  at: string;
  note: string | null;
  /** What changed, in words (期限 2020年5月31日 → 2020年6月30日). */
  detail: string | null;
}

type Payload = Record<string, unknown>;
const asPayload = (value: unknown): Payload =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Payload) : {};
const change = (value: unknown): { from: unknown; to: unknown } | null => {
  const p = asPayload(value);
  return 'to' in p ? { from: p.from, to: p.to } : null;
};
const levelName = (value: unknown): string | null =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < ESCALATION_LABELS.length
    ? ESCALATION_LABELS[value]
    : null;

/** The detail line of an entry whose payload records a change; null for the others. */
export function entryDetail(entry: Pick<LedgerEntryView, 'type' | 'payload'>, timeZone: string): string | null {
  const payload = asPayload(entry.payload);
  switch (entry.type) {
    case 'deadline_changed': {
      const c = change(payload.deadline);
      return c ? `期限：${chineseDate(c.from, timeZone)} → ${chineseDate(c.to, timeZone)}` : null;
    }
    case 'reassigned': {
      const parts: string[] = [];
      const region = change(payload.regionCode);
      const dept = change(payload.responsibleDept);
      if (region) {
        parts.push(`责任街道：${String(region.from)} → ${String(region.to)}`);
      }
      if (dept) {
        const name = (d: unknown) => DEPARTMENT_LABELS[d as keyof typeof DEPARTMENT_LABELS] ?? String(d);
        parts.push(`责任部门：${name(dept.from)} → ${name(dept.to)}`);
      }
      return parts.length > 0 ? parts.join('；') : null;
    }
    case 'escalated': {
      // The escalation job writes {from, to, asOf}.
      const to = levelName(payload.to);
      const from = levelName(payload.from);
      if (!to) {
        return null;
      }
      const asOf = typeof payload.asOf === 'string' ? `（截至${chineseDate(payload.asOf, timeZone)}）` : '';
      return from ? `预警等级：${from} → ${to}${asOf}` : `预警等级升为「${to}」${asOf}`;
    }
    case 'created':
    case 'started':
    case 'progress':
    case 'closed':
    case 'reopened':
    case 'found_again':
    case 'attachment_added':
    case 'close_requested':
    case 'close_rejected':
    case 'comment':
    case 'assignee_changed':
      return null;
  }
}

/** The ledger as the item page's timeline, oldest first. */
export function timelineOf(entries: readonly LedgerEntryView[], timeZone: string): TimelineEntry[] {
  return entries.map((e) => {
    const detail = entryDetail(e, timeZone);
    return {
      seq: e.seq,
      type: e.type,
      actorName: e.actorName,
      at: e.at,
      // An escalation's note is the level's name, which the detail already says.
      note: e.type === 'escalated' && detail ? null : e.note,
      detail,
    };
  });
}
