import { Body, Get, Param, Post, Query, Render, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { httpStatusOf } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { CloseItemDto, ProgressItemDto, ReopenItemDto, StartItemDto } from '../ledger/dto/item-actions.dto.js';
import { ListItemsQuery } from '../ledger/dto/list-items.dto.js';
import { CATEGORY_LABELS, DEPARTMENT_LABELS, ESCALATION_LABELS, STATUS_LABELS } from '../ledger/item-labels.js';
import { actionsFor } from '../ledger/item-policy.js';
import { ItemQueries } from '../ledger/item-queries.service.js';
import type { ItemDetail } from '../ledger/item-views.js';
import { ItemsService } from '../ledger/items.service.js';
import { ChoicesService } from './choices.service.js';
import { type FieldErrors, type FormSpec, attempt, readForm, refusalMessage } from './forms.js';
import { optionsOf } from './labels.js';
import { timelineOf } from './ledger-timeline.js';
import { PageController } from './page-controller.decorator.js';
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
];

/** The actions the item page has forms for (reassign and the deadline are the API's). */
const PAGE_ACTIONS = ['start', 'progress', 'close', 'reopen'] as const;
type Action = (typeof PAGE_ACTIONS)[number];

const FORMS: { [A in Action]: FormSpec<object> } = {
  start: { dto: StartItemDto, labels: { version: '版本' }, integers: ['version'] },
  progress: { dto: ProgressItemDto, labels: { note: '整改进展' } },
  close: { dto: CloseItemDto, labels: { resolution: '整改情况', version: '版本' }, integers: ['version'] },
  reopen: { dto: ReopenItemDto, labels: { reason: '重新打开原因', version: '版本' }, integers: ['version'] },
};

const DONE: Record<string, string> = {
  start: '已开始整改。',
  progress: '已记录整改进展。',
  close: '已销号。',
  reopen: '已重新打开。',
};

/** A refused form: which one, what the user typed, and why. */
interface Refusal {
  action: Action;
  values: Record<string, string>;
  errors: FieldErrors;
  message: string | null;
}

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
    private readonly config: AppConfig,
  ) {}

  @Get()
  @Require(Permission.ItemsRead)
  @Render('items/list')
  async list(@CurrentUser() user: AuthUser, @Query() raw: Record<string, unknown>) {
    const query = readQuery(ListItemsQuery, raw);
    const [page, regions, campaigns] = await Promise.all([
      lastPageIfPast(query, (q) => this.queries.list(user, q)),
      this.choices.regionChoices(user, false),
      this.choices.campaignList(),
    ]);
    const params = filterParams(query as unknown as Record<string, unknown>, FILTERS);
    const exportLink = (format: 'csv' | 'xlsx') => {
      const p = new URLSearchParams(params);
      p.set('format', format);
      return `/api/items/export?${p.toString()}`;
    };
    const selected = Object.fromEntries(FILTERS.map((key) => [key, params.get(key) ?? '']));
    return {
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
      },
      items: page.items,
      pager: pagerOf('/items', params, page.page, page.pageSize, page.total),
      exports: { csv: exportLink('csv'), xlsx: exportLink('xlsx') },
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
    const item = await this.queries.get(user, id);
    res.render('items/show', this.itemPage(user, item, null, typeof done === 'string' ? (DONE[done] ?? null) : null));
  }

  /** 开始整改, 整改进展, 销号: the sub-district's work, one handler; the action is the path's last part. */
  @Post([':id/start', ':id/progress', ':id/close'])
  @Require(Permission.ItemsAct)
  act(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    return this.perform(user, id, actionOf(req), body, res);
  }

  /** 重新打开: a manager's, hence a route of its own for its own permission. */
  @Post(':id/reopen')
  @Require(Permission.ItemsManage)
  reopen(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    return this.perform(user, id, 'reopen', body, res);
  }

  private async perform(user: AuthUser, id: number, action: Action, body: unknown, res: Response): Promise<void> {
    const form = readForm(FORMS[action], body);
    let status = 400;
    let message: string | null = null;
    if (form.dto) {
      const refused = await attempt(() => this.run(user, id, action, form.dto!));
      if (!refused) {
        res.redirect(303, `/items/${id}?done=${action}`);
        return;
      }
      status = httpStatusOf(refused.code);
      message = refusalMessage(refused);
    }
    // A form's own fields come back; the version comes from the fresh item, so that a resubmission is deliberate.
    const item = await this.queries.get(user, id);
    const refusal: Refusal = { action, values: form.values, errors: form.errors, message };
    res.status(status).render('items/show', this.itemPage(user, item, refusal, null));
  }

  private run(user: AuthUser, id: number, action: Action, dto: object): Promise<unknown> {
    switch (action) {
      case 'start':
        return this.items.start(user, id, dto);
      case 'progress':
        return this.items.progress(user, id, dto as ProgressItemDto);
      case 'close':
        return this.items.close(user, id, dto as CloseItemDto);
      case 'reopen':
        return this.items.reopen(user, id, dto as ReopenItemDto);
    }
  }

  /** The item page: the forms of the actions the item policy gives the user (the service checks again). */
  private itemPage(user: AuthUser, item: ItemDetail, refusal: Refusal | null, done: string | null) {
    const allowed = actionsFor(user, item);
    const show = Object.fromEntries(PAGE_ACTIONS.map((a) => [a, allowed.includes(a)])) as Record<Action, boolean>;
    const formOf = (action: Action) => ({
      show: show[action],
      values: refusal?.action === action ? refusal.values : {},
      errors: refusal?.action === action ? refusal.errors : {},
    });
    // Typed text whose form is gone (the item changed state meanwhile) is shown so that it is not lost.
    const orphan =
      refusal && !show[refusal.action]
        ? Object.entries(refusal.values)
            .filter(([field, value]) => field !== 'version' && value.trim() !== '')
            .map(([, value]) => value)
        : [];
    return {
      title: item.title,
      item,
      timeline: timelineOf(item.ledger, this.config.APP_TIMEZONE),
      done,
      refusal,
      orphanText: orphan.join('\n'),
      forms: {
        ...Object.fromEntries(PAGE_ACTIONS.map((a) => [a, formOf(a)])),
        any: Object.values(show).some(Boolean),
      },
      subjectHref:
        item.subjectType === 'household' &&
        item.subjectId &&
        item.subjectName &&
        hasPermission(user.role, Permission.HouseholdsRead)
          ? `/households/${item.subjectId}`
          : null,
    };
  }
}

/** The page action a POST names by its path's last part (…/items/7/close). */
function actionOf(req: Request): Action {
  const last = req.path.split('/').pop();
  const action = PAGE_ACTIONS.find((a) => a === last);
  if (!action) {
    throw new Error(`no item page action in ${req.path}`);
  }
  return action;
}
