import { Body, Get, Post, Query, Res, UploadedFile } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { type AppError, ErrorCode } from '../common/app-error.js';
import { maskIdNumber } from '../common/id-number.js';
import { PersonFinder } from '../households/person-finder.service.js';
import { FindingsBatchDto } from '../imports/dto/findings-batch.dto.js';
import { FindingsService } from '../imports/findings.service.js';
import { CreateItemDto } from '../ledger/dto/create-item.dto.js';
import { CATEGORY_LABELS, DEPARTMENT_LABELS } from '../ledger/item-labels.js';
import { ItemsService } from '../ledger/items.service.js';
import { removeUpload } from '../uploads/upload.interceptor.js';
import { ChoicesService } from './choices.service.js';
import { attempt, type FieldErrors, type FormSpec, readForm, refusalMessage } from './forms.js';
import { uploadRefusal } from './imports-pages.controller.js';
import { optionsOf } from './labels.js';
import { Mirrors } from './mirrors.decorator.js';
import { PageController } from './page-controller.decorator.js';
import { UploadForm } from './upload-form.js';

const NEW_ITEM: FormSpec<CreateItemDto> = {
  dto: CreateItemDto,
  labels: {
    campaignId: '整改专项',
    regionCode: '街道',
    category: '类别',
    responsibleDept: '责任部门',
    title: '问题',
    description: '问题描述',
    deadline: '截止日期',
    subjectId: '对象',
  },
  integers: ['campaignId', 'subjectId'],
};

const BATCH: FormSpec<FindingsBatchDto> = {
  dto: FindingsBatchDto,
  labels: { campaignId: '整改专项' },
  integers: ['campaignId'],
};

/** The service's refusals of a new item's fields (what the form's own rules cannot see), by field. */
const CREATE_REFUSALS: Record<string, string> = {
  campaignId: '所选整改专项不存在，请重新选择。',
  regionCode: '所选街道与对象所在街道不一致：整改问题只能交给对象所在的街道。',
  subjectId: '所选对象不存在，请重新查找。',
  subjectType: '所选对象不存在，请重新查找。',
};

const ID_SHAPE = /^\d{17}[\dXx]$/;

/** What a form post answers: the user's values, each field's message, a message for the form. */
interface FormState {
  values: Record<string, string>;
  errors: FieldErrors;
  message: string | null;
}

const EMPTY: FormState = { values: {}, errors: {}, message: null };

/**
 * 登记整改问题 (one finding, with its subject looked up by name or ID number) and 批量登记 (a
 * supervision group's findings from an Excel or CSV file, all or none), through the API's services.
 * Declared before the items pages, whose `:id` would otherwise take `new` and `batch`.
 */
@PageController('items')
@Require(Permission.ItemsCreate)
export class ItemRegistrationPagesController {
  constructor(
    private readonly items: ItemsService,
    private readonly findings: FindingsService,
    private readonly persons: PersonFinder,
    private readonly choices: ChoicesService,
  ) {}

  @Get('new')
  async newItem(@CurrentUser() user: AuthUser, @Query('campaignId') campaignId: unknown, @Res() res: Response) {
    const values: Record<string, string> = typeof campaignId === 'string' ? { campaignId } : {};
    await this.renderNew(res, user, 200, { ...EMPTY, values }, null);
  }

  /**
   * 登记, or 查找对象 (the button `intent=lookup`: a POST, so that a typed ID number never lands in a
   * URL; the page shows the candidates masked and never writes the typed number back).
   */
  @Post('new')
  @Mirrors('POST /api/items')
  async create(@CurrentUser() user: AuthUser, @Body() body: Record<string, unknown>, @Res() res: Response) {
    const form = readForm(NEW_ITEM, body);
    const query = typeof body.subjectQuery === 'string' ? body.subjectQuery.trim() : '';
    if (body.intent === 'lookup') {
      await this.renderNew(res, user, 200, { values: form.values, errors: {}, message: null }, query);
      return;
    }
    if (form.dto && !form.dto.regionCode && !form.dto.subjectId) {
      form.errors.regionCode = '请选择街道（选了对象时可不选，由对象所在街道负责）';
    }
    let message: string | null = null;
    if (form.dto && Object.keys(form.errors).length === 0) {
      const dto = form.dto;
      dto.subjectType = dto.subjectId ? 'person' : undefined;
      let id = 0;
      const refused = await attempt(async () => {
        id = (await this.items.create(user, dto)).id;
      });
      if (!refused) {
        res.redirect(303, `/items/${id}?done=created`);
        return;
      }
      const field = refused.field && refused.code === ErrorCode.Invalid ? CREATE_REFUSALS[refused.field] : undefined;
      if (field) {
        form.errors[refused.field === 'subjectType' ? 'subjectId' : refused.field!] = field;
      } else {
        message = refusalMessage(refused);
      }
    }
    await this.renderNew(res, user, 400, { values: form.values, errors: form.errors, message }, query || null);
  }

  @Get('batch')
  async batch(
    @Query('campaignId') campaignId: unknown,
    @Query('filed') filed: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const values: Record<string, string> = typeof campaignId === 'string' ? { campaignId } : {};
    const count = typeof filed === 'string' && /^\d{1,6}$/.test(filed) ? Number(filed) : null;
    await this.renderBatch(res, 200, { ...EMPTY, values }, [], count);
  }

  @Post('batch')
  @UploadForm()
  @Mirrors('POST /api/items/batch')
  async upload(
    @CurrentUser() user: AuthUser,
    @Body() body: unknown,
    @UploadedFile() file: Express.Multer.File,
    @Res() res: Response,
  ): Promise<void> {
    const form = readForm(BATCH, body);
    if (!form.dto) {
      await removeUpload(file.path);
      await this.renderBatch(res, 400, { values: form.values, errors: form.errors, message: null }, [], null);
      return;
    }
    const campaignId = form.dto.campaignId;
    let count = 0;
    const refused = await attempt(async () => {
      count = (await this.findings.file(user, campaignId, file)).count;
    });
    if (!refused) {
      res.redirect(303, `/items/batch?campaignId=${campaignId}&filed=${count}`);
      return;
    }
    const errors: FieldErrors = refused.field === 'campaignId' ? { campaignId: CREATE_REFUSALS.campaignId } : {};
    const message = refused.field === 'campaignId' ? null : batchRefusal(refused);
    await this.renderBatch(res, 400, { values: form.values, errors, message }, refused.rows ?? [], null);
  }

  private async renderNew(
    res: Response,
    user: AuthUser,
    status: number,
    form: FormState,
    query: string | null,
  ): Promise<void> {
    const [campaigns, regions] = await Promise.all([
      this.choices.campaignList(),
      this.choices.regionChoices(user, false),
    ]);
    const chosen = /^\d{1,9}$/.test(form.values.subjectId ?? '') ? Number(form.values.subjectId) : null;
    const found = query ? await this.persons.search(user, query) : [];
    const current = chosen && !found.some((c) => c.id === chosen) ? await this.persons.candidate(user, chosen) : null;
    const candidates = [...(current ? [current] : []), ...found].map((c) => ({ ...c, checked: c.id === chosen }));
    const byId = query !== null && ID_SHAPE.test(query);
    res.status(status).render('items/new', {
      title: '登记整改问题',
      form,
      options: {
        campaigns: campaigns.map((c) => ({ value: String(c.id), label: `${c.name}（截止 ${c.deadline}）` })),
        regions,
        categories: optionsOf(CATEGORY_LABELS),
        departments: optionsOf(DEPARTMENT_LABELS),
      },
      lookup: {
        // A typed ID number is never written back: the box comes back empty, the number masked beside it.
        query: byId ? '' : (query ?? ''),
        byId: byId ? maskIdNumber(query.toUpperCase()) : null,
        searched: query !== null && query !== '',
        candidates,
      },
    });
  }

  private async renderBatch(
    res: Response,
    status: number,
    form: FormState,
    rows: readonly { line: number; field: string; message: string }[],
    filed: number | null,
  ): Promise<void> {
    const campaigns = await this.choices.campaignList();
    res.status(status).render('items/batch', {
      title: '批量登记整改问题',
      form,
      rows,
      filed,
      listHref: form.values.campaignId ? `/items?campaignId=${encodeURIComponent(form.values.campaignId)}` : '/items',
      campaigns: campaigns.map((c) => ({ value: String(c.id), label: `${c.name}（截止 ${c.deadline}）` })),
    });
  }
}

/** A refused batch: its rows' summary, or what is wrong with the file itself. */
function batchRefusal(error: AppError): string {
  return error.rows ? error.message : uploadRefusal(error);
}
