import { Body, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { AppError, ErrorCode, httpStatusOf } from '../common/app-error.js';
import type {
  CloseItemDto,
  CommentItemDto,
  ProgressItemDto,
  ReopenItemDto,
  ReviewItemDto,
} from '../ledger/dto/item-actions.dto.js';
import type { AssignItemDto } from '../ledger/dto/item-assignee.dto.js';
import type { ChangeDeadlineDto, ReassignItemDto } from '../ledger/dto/item-changes.dto.js';
import { ListItemsQuery } from '../ledger/dto/list-items.dto.js';
import { CATEGORY_LABELS, DEPARTMENT_LABELS, ESCALATION_LABELS, STATUS_LABELS } from '../ledger/item-labels.js';
import { reviewedDepartments } from '../ledger/item-policy.js';
import { ItemQueries } from '../ledger/item-queries.service.js';
import { ItemsService } from '../ledger/items.service.js';
import { ChoicesService } from './choices.service.js';
import { ASSIGNEE_UNCHANGED } from './error-messages.js';
import { attempt, readForm, refusalMessage } from './forms.js';
import { FIELD_REFUSALS, type FormAction, FORMS, ItemPages, type Refusal } from './item-page.js';
import { Mirrors } from './mirrors.decorator.js';
import { optionsOf } from './labels.js';
import { PageController } from './page-controller.decorator.js';
import { reviewQueueQuery } from './review-queue.js';
import { filterParams, lastPageIfPast, pagerOf, readQuery } from './page-query.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';

const FILTERS = [
  'status',
  'closed',
  'regionCode',
  'campaignId',
  'category',
  'responsibleDept',
  'overdue',
  'level',
  'escalationLevel',
  'villageCode',
  'q',
  'sort',
];

/** The list a bare /items shows: 未销号 (pending review included), by deadline — the overdue first. */
const DEFAULT_LIST = { closed: 'false', sort: 'deadline' };

/**
 * 整改台账: the list with the API's filters and export links, and the item page with its ledger
 * and the forms of the life cycle. A form's POST redirects back on success (POST/redirect/GET);
 * a refusal re-renders the page with the message and what the user typed.
 */
@PageController('items')
export class ItemsPagesController {
  constructor(
    private readonly items: ItemsService,
    private readonly queries: ItemQueries,
    private readonly choices: ChoicesService,
    private readonly pages: ItemPages,
  ) {}

  /**
   * 整改台账. Bare `/items` (the menu's link) shows 未销号, the most urgent first; every filter, the
   * default one included, is written into the pager's, the form's and the export's links, so a list
   * once paged or filtered is in the address to bookmark or share; `closed=` (全部) is kept as such.
   */
  @Get()
  @Require(Permission.ItemsRead)
  async list(
    @CurrentUser() user: AuthUser,
    @Query() raw: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const query = readQuery(ListItemsQuery, Object.keys(raw).length === 0 ? DEFAULT_LIST : raw);
    const [page, regions, campaigns] = await Promise.all([
      lastPageIfPast(query, (q) => this.queries.list(user, q)),
      this.choices.regionChoices(user, false),
      this.choices.campaignList(),
    ]);
    const params = filterParams(query as unknown as Record<string, unknown>, FILTERS);
    // 全部 (closed=) stays in the address, or the pager's links would fall back to the default.
    if (!params.has('closed')) {
      params.set('closed', '');
    }
    const exportLink = (format: 'csv' | 'xlsx') => {
      const p = new URLSearchParams(params);
      p.delete('sort');
      p.set('format', format);
      return `/api/items/export?${p.toString()}`;
    };
    const selected = Object.fromEntries(FILTERS.map((key) => [key, params.get(key) ?? '']));
    res.render('items/list', {
      title: '整改台账',
      filters: selected,
      options: {
        statuses: optionsOf(STATUS_LABELS),
        regions,
        campaigns: campaigns.map((c) => ({ value: String(c.id), label: c.name })),
        categories: optionsOf(CATEGORY_LABELS),
        departments: optionsOf(DEPARTMENT_LABELS),
        levels: ESCALATION_LABELS.map((label, level) => ({ value: String(level), label })),
        closed: [
          { value: 'false', label: '未销号（含待审核）' },
          { value: 'true', label: '已销号' },
        ],
        sorts: [
          { value: 'deadline', label: '按截止日期（逾期在前）' },
          { value: 'level', label: '按预警等级（督办在前）' },
          { value: 'requested', label: '按销号申请时间' },
        ],
      },
      items: page.items,
      pager: pagerOf('/items', withPageSize(params, raw.pageSize), page.page, page.pageSize, page.total),
      exports: { csv: exportLink('csv'), xlsx: exportLink('xlsx') },
    });
  }

  /**
   * 待审核: the close requests the user reviews — their department's (an admin's: all), the oldest
   * request first — with the requester, the evidence count and the days to the deadline. Declared
   * before `:id`.
   */
  @Get('review')
  @Require(Permission.ItemsReview)
  @Render('items/review')
  async reviewList(@CurrentUser() user: AuthUser, @Query() raw: Record<string, unknown>) {
    const page = await lastPageIfPast(reviewQueueQuery(user.role, raw), (q) => this.queries.list(user, q));
    return {
      title: '待审核',
      departments: reviewedDepartments(user.role)
        .map((d) => DEPARTMENT_LABELS[d])
        .join('、'),
      items: page.items.map((item) => ({ ...item, own: item.closeRequestedBy?.id === user.id })),
      pager: pagerOf('/items/review', new URLSearchParams(), page.page, page.pageSize, page.total),
    };
  }

  @Get(':id')
  @Require(Permission.ItemsRead)
  async show(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Query('done') done: unknown,
    @Res() res: Response,
  ): Promise<void> {
    await this.pages.render(res, user, id, { done: typeof done === 'string' ? done : null });
  }

  /** 开始整改, 整改进展, 销号 (or 申请销号), 责任人: the sub-district's work, one handler; the action is the path's last part. */
  @Post([':id/start', ':id/progress', ':id/close', ':id/assignee'])
  @Require(Permission.ItemsAct)
  @Mirrors(
    'POST /api/items/:id/start',
    'POST /api/items/:id/progress',
    'POST /api/items/:id/close',
    'POST /api/items/:id/assignee',
  )
  act(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.perform(user, id, actionOf(req), body, res);
  }

  /** 销号审核: 通过 or 退回 (with a comment), by the item's department or an admin, never the requester. */
  @Post(':id/review')
  @Require(Permission.ItemsReview)
  @Mirrors('POST /api/items/:id/review')
  review(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    return this.perform(user, id, 'review', body, res);
  }

  /** 批注: whoever may read the item. */
  @Post(':id/comments')
  @Require(Permission.ItemsRead)
  @Mirrors('POST /api/items/:id/comments')
  comment(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    return this.perform(user, id, 'comment', body, res);
  }

  /**
   * A manager's: 重新打开, 移交 (sub-district and/or department) and 调整期限 (a new deadline), each
   * with the reason the page asks for; the action is the path's last part.
   */
  @Post([':id/reopen', ':id/reassign', ':id/deadline'])
  @Require(Permission.ItemsManage)
  @Mirrors('POST /api/items/:id/reopen', 'POST /api/items/:id/reassign', 'POST /api/items/:id/deadline')
  manage(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.perform(user, id, actionOf(req), body, res);
  }

  private async perform(user: AuthUser, id: number, action: FormAction, body: unknown, res: Response): Promise<void> {
    const form = readForm(FORMS[action], body);
    let status = 400;
    let message: string | null = null;
    if (form.dto) {
      const refused = await attempt(() => this.run(user, id, action, form.dto!));
      if (!refused) {
        const done = action === 'review' ? (form.dto as ReviewItemDto).decision : action;
        res.redirect(303, `/items/${id}?done=${done}`);
        return;
      }
      status = httpStatusOf(refused.code);
      const fieldRefusal =
        refused.code === ErrorCode.Invalid && refused.field && FIELD_REFUSALS[action]?.[refused.field];
      if (fieldRefusal) {
        form.errors[refused.field] = fieldRefusal;
      } else {
        message = unchangedAssignee(refused) ? ASSIGNEE_UNCHANGED : refusalMessage(refused);
      }
    }
    // A form's own fields come back; the version comes from the fresh item, so that a resubmission is deliberate.
    const refusal: Refusal = { action, values: form.values, errors: form.errors, message };
    await this.pages.render(res, user, id, { status, refusal });
  }

  private run(user: AuthUser, id: number, action: FormAction, dto: object): Promise<unknown> {
    switch (action) {
      case 'start':
        return this.items.start(user, id, dto);
      case 'progress':
        return this.items.progress(user, id, dto as ProgressItemDto);
      case 'close':
        return this.items.close(user, id, dto as CloseItemDto);
      case 'reopen':
        return this.items.reopen(user, id, dto as ReopenItemDto);
      case 'review':
        return this.items.review(user, id, dto as ReviewItemDto);
      case 'comment':
        return this.items.comment(user, id, dto as CommentItemDto);
      case 'assign':
        return this.items.assign(user, id, dto as AssignItemDto);
      case 'reassign':
        return this.items.reassign(user, id, dto as ReassignItemDto);
      case 'deadline':
        return this.items.changeDeadline(user, id, dto as ChangeDeadlineDto);
    }
  }
}

/** The list's parameters with the page size asked for, if any, for the pager's links. */
function withPageSize(params: URLSearchParams, pageSize: unknown): URLSearchParams {
  const p = new URLSearchParams(params);
  if (typeof pageSize === 'string' && pageSize !== '') {
    p.set('pageSize', pageSize);
  }
  return p;
}

/** The service's "already these" refusal of a 责任人 form that changes nothing. */
function unchangedAssignee(error: AppError): boolean {
  return error.code === ErrorCode.Invalid && error.field === 'assigneeName';
}

/** The form action a POST names by its path's last part (…/items/7/close, …/items/7/assignee). */
function actionOf(req: Request): FormAction {
  const last = req.path.split('/').pop();
  const action = (
    {
      start: 'start',
      progress: 'progress',
      close: 'close',
      assignee: 'assign',
      reopen: 'reopen',
      reassign: 'reassign',
      deadline: 'deadline',
    } as const
  )[last ?? ''];
  if (!action) {
    throw new Error(`no item page action in ${req.path}`);
  }
  return action;
}
