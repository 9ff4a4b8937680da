import { DEPARTMENT_LABELS, ESCALATION_LABELS } from '../ledger/item-labels.js';
import type { LedgerEntryView } from '../ledger/ledger.service.js';
import { EVIDENCE_TYPES, type EvidenceType } from '../ledger/attachment.entity.js';
import { chineseDate, fileSizeText, shortHash } from './handlebars-helpers.js';
import { EVIDENCE_TYPE_LABELS } from './labels.js';

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
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
/** A {id, name} actor of a payload (requestedBy, reviewedBy): its name. */
const actorName = (value: unknown): string | null => text(asPayload(value).name);
/** 王建国（139****5678）: a 责任人 as the ledger keeps them (the phone masked). */
const assignee = (name: unknown, phone: unknown): string => {
  const who = text(name) ?? '（未指定）';
  return text(phone) ? `${who}（${String(phone)}）` : who;
};

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
    case 'attachment_added': {
      // {attachmentId, sha256, name, type, size}: the file, as the ledger bound it.
      const type = EVIDENCE_TYPES.find((t): t is EvidenceType => t === payload.type);
      const parts = [type ? EVIDENCE_TYPE_LABELS[type] : null, fileSizeText(payload.size) || null].filter(Boolean);
      const name = text(payload.name);
      return [
        `佐证材料${name ? `「${name}」` : ''}${parts.length > 0 ? `（${parts.join('，')}）` : ''}`,
        text(payload.sha256) ? `SHA-256 ${shortHash(payload.sha256)}` : null,
      ]
        .filter(Boolean)
        .join('，');
    }
    case 'close_requested': {
      // {status, evidence: [sha256…]}: the files the reviewer decides on; the note is the resolution.
      const evidence = Array.isArray(payload.evidence) ? payload.evidence.filter((h) => typeof h === 'string') : [];
      return evidence.length === 0
        ? '申请销号，未附佐证材料'
        : `申请销号，附佐证材料 ${evidence.length} 份：${evidence.map(shortHash).join('、')}`;
    }
    case 'close_rejected': {
      // {status, requestedBy}: the note is the reviewer's comment.
      const requester = actorName(payload.requestedBy);
      return requester ? `退回 ${requester} 的销号申请，改为整改中` : '退回销号申请，改为整改中';
    }
    case 'closed': {
      // A reviewed close names both sides ({status, requestedBy, reviewedBy}); a direct close neither.
      const reviewer = actorName(payload.reviewedBy);
      if (!reviewer) {
        return null;
      }
      const requester = actorName(payload.requestedBy);
      return requester ? `审核通过：${requester} 申请，${reviewer} 审核` : `审核通过：${reviewer} 审核`;
    }
    case 'assignee_changed': {
      // {assigneeName: {from, to}, assigneePhone: {from, to}}, the phones masked.
      const name = change(payload.assigneeName);
      const phone = change(payload.assigneePhone);
      if (!name && !phone) {
        return null;
      }
      const to = assignee(name?.to, phone?.to);
      return text(name?.from) ? `责任人：${assignee(name?.from, phone?.from)} → ${to}` : `责任人：${to}`;
    }
    case 'created':
    case 'started':
    case 'progress':
    case 'reopened':
    case 'found_again':
    case 'comment':
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
