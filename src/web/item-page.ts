import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { PersonsService } from '../households/persons.service.js';
import { AttachmentsService, type AttachmentView } from '../ledger/attachments.service.js';
import { CampaignsService } from '../ledger/campaigns.service.js';
import {
  CloseItemDto,
  CommentItemDto,
  ProgressItemDto,
  ReopenItemDto,
  ReviewItemDto,
  StartItemDto,
} from '../ledger/dto/item-actions.dto.js';
import { AssignItemDto } from '../ledger/dto/item-assignee.dto.js';
import { ChangeDeadlineDto, ReassignItemDto } from '../ledger/dto/item-changes.dto.js';
import { DEPARTMENT_LABELS } from '../ledger/item-labels.js';
import { actionsFor } from '../ledger/item-policy.js';
import { ItemQueries } from '../ledger/item-queries.service.js';
import type { ItemDetail } from '../ledger/item-views.js';
import { RISK_OUTCOME_LABELS, RISK_OUTCOMES } from '../ledger/risk-outcomes.js';
import type { FieldErrors, FormSpec } from './forms.js';
import { ChoicesService } from './choices.service.js';
import { optionsOf } from './labels.js';
import { timelineOf } from './ledger-timeline.js';

/** The item page's forms: the life cycle's, 销号审核, 批注, 责任人, the 佐证材料 upload, 移交 and 调整期限. */
export const PAGE_ACTIONS = [
  'start',
  'progress',
  'close',
  'reopen',
  'review',
  'comment',
  'assign',
  'attach',
  'reassign',
  'deadline',
] as const;
export type PageAction = (typeof PAGE_ACTIONS)[number];
/** The actions whose forms are read through the API's DTO (the upload is multipart: evidence-form.ts). */
export type FormAction = Exclude<PageAction, 'attach'>;

const PHONE_RULE = '请填写手机号（如 13912345678）或带区号的固定电话（如 029-88886666）';

export const FORMS: { [A in FormAction]: FormSpec<object> } = {
  start: { dto: StartItemDto, labels: { version: '版本' }, integers: ['version'] },
  progress: { dto: ProgressItemDto, labels: { note: '整改进展' } },
  close: {
    dto: CloseItemDto,
    labels: { resolution: '整改情况', outcome: '核实结果', version: '版本' },
    integers: ['version'],
  },
  reopen: { dto: ReopenItemDto, labels: { reason: '重新打开原因', version: '版本' }, integers: ['version'] },
  review: {
    dto: ReviewItemDto,
    labels: { decision: '审核结果', comment: '审核意见', version: '版本' },
    integers: ['version'],
  },
  comment: { dto: CommentItemDto, labels: { note: '批注' } },
  assign: {
    dto: AssignItemDto,
    labels: { assigneeName: '责任人姓名', assigneePhone: '联系电话', version: '版本' },
    integers: ['version'],
    messages: { assigneePhone: PHONE_RULE },
  },
  reassign: {
    dto: ReassignItemDto,
    labels: { regionCode: '移交街道', responsibleDept: '责任部门', note: '移交原因', version: '版本' },
    integers: ['version'],
    required: ['note'],
  },
  deadline: {
    dto: ChangeDeadlineDto,
    labels: { deadline: '新截止日期', note: '调整原因', version: '版本' },
    integers: ['version'],
    required: ['note'],
  },
};

/** A service's refusal of a field that the form's own rules cannot see (nothing would change), by action and field. */
export const FIELD_REFUSALS: Partial<Record<FormAction, Record<string, string>>> = {
  reassign: {
    regionCode: '请选择另一个街道或责任部门：所选的与现在相同，或对象不在所选街道。',
    responsibleDept: '请选择另一个街道或责任部门：所选的与现在相同。',
  },
  deadline: { deadline: '新截止日期与现在的相同，未作修改。' },
};

/** A refused form: which one, what the user typed, and why. */
export interface Refusal {
  action: PageAction;
  values: Record<string, string>;
  errors: FieldErrors;
  message: string | null;
}

/** What a successful form says after the redirect (`?done=`), by the action; 销号's by what it led to. */
const DONE: Record<string, string> = {
  start: '已开始整改。',
  progress: '已记录整改进展。',
  reopen: '已重新打开。',
  approve: '审核通过，已销号。',
  reject: '已退回，申请人将收到提醒。',
  comment: '已添加批注。',
  assign: '已保存责任人。',
  created: '已登记整改问题。',
  reassign: '已移交。',
  deadline: '已调整截止日期。',
  attach: '已上传佐证材料。',
};

function doneMessage(done: string | null, item: ItemDetail): string | null {
  if (done === 'close') {
    return item.status === 'pending_review' ? '已提交销号申请，等待责任部门审核。' : '已销号。';
  }
  return done !== null && Object.hasOwn(DONE, done) ? DONE[done] : null;
}

/** The sha256 values the pending close request named (its `close_requested` entry), oldest request last. */
function requestedEvidence(item: ItemDetail): string[] {
  const request = item.ledger.filter((e) => e.type === 'close_requested').at(-1);
  const evidence = (request?.payload as { evidence?: unknown } | null)?.evidence;
  return Array.isArray(evidence) ? evidence.filter((h): h is string => typeof h === 'string') : [];
}

/**
 * The item page (整改台账 › 问题): facts, the pending 销号 request with the reviewer's buttons, the
 * 佐证材料 with thumbnails and the upload form, the ledger timeline, and the forms of the actions the
 * item policy gives the user (the services check again). A refused form comes back with what the user
 * typed and why.
 */
@Injectable()
export class ItemPages {
  constructor(
    private readonly queries: ItemQueries,
    private readonly attachments: AttachmentsService,
    private readonly campaigns: CampaignsService,
    private readonly persons: PersonsService,
    private readonly choices: ChoicesService,
    private readonly config: AppConfig,
  ) {}

  /** Renders the page, with the status of a refusal (200 otherwise). */
  async render(
    res: Response,
    user: AuthUser,
    id: number,
    options: { status?: number; refusal?: Refusal | null; done?: string | null } = {},
  ): Promise<void> {
    const item = await this.queries.get(user, id);
    const [evidence, campaign, subjectHref, regions] = await Promise.all([
      this.attachments.list(user, id),
      this.campaigns.get(item.campaignId),
      this.subjectHref(user, item),
      actionsFor(user, item).includes('reassign') ? this.choices.regionChoices(user, false) : [],
    ]);
    const model = this.model(user, item, evidence, campaign, options.refusal ?? null, options.done ?? null);
    res.status(options.status ?? 200).render('items/show', {
      ...model,
      subjectHref,
      reassignOptions: { regions, departments: optionsOf(DEPARTMENT_LABELS) },
    });
  }

  /** The household page of the item's subject (a person's: their household's), for those who read households. */
  private async subjectHref(user: AuthUser, item: ItemDetail): Promise<string | null> {
    if (!item.subjectId || !item.subjectName || !hasPermission(user.role, Permission.HouseholdsRead)) {
      return null;
    }
    if (item.subjectType === 'household') {
      return `/households/${item.subjectId}`;
    }
    if (item.subjectType !== 'person') {
      return null;
    }
    const person = await this.persons.get(user, item.subjectId).catch((error: unknown) => {
      if (error instanceof AppError && error.code === ErrorCode.NotFound) {
        return null;
      }
      throw error;
    });
    return person && `/households/${person.householdId}`;
  }

  private model(
    user: AuthUser,
    item: ItemDetail,
    evidence: AttachmentView[],
    campaign: { closeReview: boolean; evidenceRequired: boolean },
    refusal: Refusal | null,
    done: string | null,
  ) {
    const allowed = actionsFor(user, item);
    const show = Object.fromEntries(PAGE_ACTIONS.map((a) => [a, allowed.includes(a)])) as Record<PageAction, boolean>;
    const formOf = (action: PageAction) => ({
      show: show[action],
      values: refusal?.action === action ? refusal.values : {},
      errors: refusal?.action === action ? refusal.errors : {},
    });
    // Typed text whose form is gone (the item changed state meanwhile) is shown so that it is not lost.
    const orphan =
      refusal && !show[refusal.action]
        ? Object.entries(refusal.values)
            .filter(
              ([field, value]) =>
                !['version', 'decision', 'regionCode', 'responsibleDept'].includes(field) && value.trim() !== '',
            )
            .map(([, value]) => value)
        : [];
    const requested = new Set(requestedEvidence(item));
    const reviewed = campaign.closeReview;
    const files = evidence.map((a) => ({ ...a, requested: requested.has(a.sha256) }));
    return {
      title: item.title,
      item,
      timeline: timelineOf(item.ledger, this.config.APP_TIMEZONE),
      done: doneMessage(done, item),
      refusal,
      orphanText: orphan.join('\n'),
      evidence: {
        images: files.filter((a) => a.thumbnail),
        documents: files.filter((a) => !a.thumbnail),
        count: files.length,
        maxMb: this.config.EVIDENCE_MAX_MB,
      },
      close: {
        reviewed,
        label: reviewed ? '申请销号' : '销号',
        evidenceRequired: reviewed && campaign.evidenceRequired,
        evidenceMissing: reviewed && campaign.evidenceRequired && files.length === 0,
        // A risk alert's item closes with 核实结果 (SPEC §6.6).
        outcomes:
          item.source === 'risk_alert'
            ? RISK_OUTCOMES.map((value) => ({ value, label: RISK_OUTCOME_LABELS[value] }))
            : null,
      },
      request:
        item.status === 'pending_review'
          ? {
              by: item.closeRequestedBy?.name ?? null,
              at: item.closeRequestedAt,
              evidence: [...requested].map((sha256) => ({
                sha256,
                name: evidence.find((a) => a.sha256 === sha256)?.name ?? null,
              })),
              own: item.closeRequestedBy?.id === user.id,
            }
          : null,
      forms: {
        ...Object.fromEntries(PAGE_ACTIONS.map((a) => [a, formOf(a)])),
        // The side column's forms (the review and the upload have their own sections).
        any: (['start', 'progress', 'close', 'reopen', 'comment', 'assign', 'reassign', 'deadline'] as const).some(
          (a) => show[a],
        ),
      },
    };
  }
}
