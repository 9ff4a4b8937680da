import { Body, Get, Param, Post, Query, Res, UploadedFile } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { PageQuery } from '../common/pagination.js';
import { DISCREPANCY_KINDS, DISCREPANCY_LABELS, type DiscrepancyKind } from '../reconciliation/discrepancy.entity.js';
import {
  CreateItemsDto,
  CreateReconciliationDto,
  ReconciliationQuery,
} from '../reconciliation/dto/reconciliation.dto.js';
import { removeUpload } from '../uploads/upload.interceptor.js';
import { ReconciliationService } from '../reconciliation/reconciliation.service.js';
import { ChoicesService } from './choices.service.js';
import { attempt, type FieldErrors, readForm } from './forms.js';
import { isCancellable, JOB_STATUS_LABELS, REFRESH_SECONDS, uploadRefusal } from './imports-pages.controller.js';
import { PageController } from './page-controller.decorator.js';
import { filterParams, pagerOf, readQuery } from './page-query.js';
import { UploadForm } from './upload-form.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { FIRST_INSURANCE_YEAR } from '../common/programme-years.js';

const YEAR_FORM = { dto: CreateReconciliationDto, labels: { year: '年度' }, integers: ['year'] };

/** The kinds a form checked (a checkbox list posts one value or several). */
function kindsOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

interface ItemsFormState {
  kinds: string[];
  campaignId: string;
  regionCode: string;
  errors: FieldErrors;
  message: string | null;
}

/**
 * 数据比对: upload the insurance bureau's roster for a year, follow the comparison, read the
 * discrepancies by kind, turn chosen kinds into remediation items, write the enrollment back.
 */
@PageController('reconciliations')
@Require(Permission.ReconciliationsRun)
export class ReconciliationPagesController {
  constructor(
    private readonly reconciliations: ReconciliationService,
    private readonly choices: ChoicesService,
    private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Query() raw: Record<string, unknown>, @Res() res: Response): Promise<void> {
    res.render('reconciliation/list', await this.listPage(readQuery(PageQuery, raw), null, {}));
  }

  @Post()
  @UploadForm()
  async upload(
    @CurrentUser() user: AuthUser,
    @UploadedFile() file: Express.Multer.File,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const form = readForm(YEAR_FORM, body);
    let message: string | null = null;
    let errors = form.errors;
    if (form.dto) {
      let id = 0;
      const refused = await attempt(async () => {
        id = (await this.reconciliations.create(user, file, form.dto!.year)).id;
      });
      if (!refused) {
        res.redirect(303, `/reconciliations/${id}`);
        return;
      }
      if (refused.field === 'year') {
        // The roster-year refusals are written for users (they name both years); the range is not.
        errors = {
          year: /[\u4e00-\u9fff]/.test(refused.message)
            ? refused.message
            : `年度须在 ${FIRST_INSURANCE_YEAR} 至 ${this.clock.year() + 1} 之间`,
        };
      } else {
        message = uploadRefusal(refused);
      }
    }
    // Refused: the file will never be read (the upload interceptor only removes it when the handler throws).
    await removeUpload(file.path);
    res
      .status(400)
      .render('reconciliation/list', await this.listPage(new PageQuery(), message, errors, form.values.year));
  }

  @Get(':id')
  async show(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Query() raw: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    res.render('reconciliation/show', await this.showPage(user, id, readQuery(ReconciliationQuery, raw), raw, null));
  }

  /** 生成整改问题: the checked kinds become items of the chosen campaign (idempotent). */
  @Post(':id/items')
  async createItems(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const state: ItemsFormState = {
      kinds: kindsOf(body.kinds),
      campaignId: typeof body.campaignId === 'string' ? body.campaignId : '',
      regionCode: typeof body.regionCode === 'string' ? body.regionCode : '',
      errors: {},
      message: null,
    };
    const dto = Object.assign(new CreateItemsDto(), {
      kinds: state.kinds,
      campaignId: /^\d{1,9}$/.test(state.campaignId) ? Number(state.campaignId) : undefined,
      regionCode: state.regionCode || undefined,
    });
    if (state.kinds.length === 0 || state.kinds.some((k) => !(DISCREPANCY_KINDS as readonly string[]).includes(k))) {
      state.errors.kinds = '请至少勾选一类差异';
    }
    if (dto.campaignId === undefined) {
      state.errors.campaignId = '请选择整改专项';
    }
    if (Object.keys(state.errors).length === 0) {
      let outcome = { created: 0, skipped: 0 };
      const refused = await attempt(async () => {
        outcome = await this.reconciliations.createItems(user, id, dto);
      });
      if (!refused) {
        res.redirect(303, `/reconciliations/${id}?created=${outcome.created}&skipped=${outcome.skipped}`);
        return;
      }
      state.message =
        refused.code === ErrorCode.InvalidTransition ? '比对尚未完成，不能生成整改问题。' : this.refusal(refused);
    }
    const page = await this.showPage(user, id, new ReconciliationQuery(), {}, state);
    res.status(400).render('reconciliation/show', page);
  }

  /** 取消比对: the job stops at its next batch and is never resumed; one that has finished meanwhile is left as it is. */
  @Post(':id/cancel')
  async cancel(@Param('id', ParseIdPipe) id: number, @Res() res: Response): Promise<void> {
    const refused = await attempt(() => this.reconciliations.cancel(id));
    if (refused && refused.code !== ErrorCode.InvalidTransition) {
      throw refused;
    }
    res.redirect(303, `/reconciliations/${id}`);
  }

  /** This year, next year (the collection for year N runs in the autumn of N−1) and the years before. */
  private yearChoices(): { value: string; label: string }[] {
    const next = this.clock.year() + 1;
    return Array.from({ length: next - FIRST_INSURANCE_YEAR + 1 }, (_, i) => String(next - i)).map((y) => ({
      value: y,
      label: `${y}年度`,
    }));
  }

  private refusal(error: AppError): string {
    return error.field === 'regionCode' ? '请选择有效的街道。' : '操作未能完成，请检查后重试。';
  }

  private async listPage(query: PageQuery, message: string | null, errors: FieldErrors, year?: string) {
    const page = await this.reconciliations.list(query);
    return {
      title: '数据比对',
      message,
      errors,
      year: year ?? '',
      years: this.yearChoices(),
      runs: page.items.map((r) => ({
        ...r,
        statusLabel: JOB_STATUS_LABELS[r.status] ?? r.status,
        total: DISCREPANCY_KINDS.reduce((n, k) => n + r.counts[k], 0),
      })),
      pager: pagerOf('/reconciliations', new URLSearchParams(), page.page, page.pageSize, page.total),
    };
  }

  private async showPage(
    user: AuthUser,
    id: number,
    query: ReconciliationQuery,
    raw: Record<string, unknown>,
    form: ItemsFormState | null,
  ) {
    const rec = await this.reconciliations.get(id, query);
    const [campaigns, regions] = await Promise.all([
      this.choices.campaignList(),
      this.choices.regionChoices(user, false),
    ]);
    const running = rec.status === 'queued' || rec.status === 'running';
    const params = filterParams(query as unknown as Record<string, unknown>, ['kind']);
    const checked = new Set(form?.kinds ?? []);
    const count = (raw: unknown) => (typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : null);
    return {
      title: `数据比对 #${rec.id}`,
      rec,
      statusLabel: JOB_STATUS_LABELS[rec.status] ?? rec.status,
      running,
      refreshSeconds: running ? REFRESH_SECONDS : null,
      done: rec.status === 'done',
      cancellable: isCancellable(rec.status),
      progressPercent: rec.rowsTotal ? Math.round((rec.rowsRead / rec.rowsTotal) * 1000) / 10 : 0,
      kinds: DISCREPANCY_KINDS.map((kind: DiscrepancyKind) => ({
        kind,
        label: DISCREPANCY_LABELS[kind],
        count: rec.counts[kind],
        current: query.kind === kind,
        checked: checked.has(kind),
      })),
      kind: query.kind ?? null,
      kindLabel: query.kind ? DISCREPANCY_LABELS[query.kind] : null,
      discrepancies: rec.discrepancies.items.map((d) => ({ ...d, kindLabel: DISCREPANCY_LABELS[d.kind] })),
      pager: pagerOf(
        `/reconciliations/${id}`,
        params,
        rec.discrepancies.page,
        rec.discrepancies.pageSize,
        rec.discrepancies.total,
      ),
      exportHref: `/api/reconciliations/${id}/discrepancies.csv${query.kind ? `?kind=${query.kind}` : ''}`,
      campaigns: campaigns.map((c) => ({ value: String(c.id), label: c.name })),
      regions,
      form: form ?? {
        kinds: [],
        campaignId: campaigns[0] ? String(campaigns[0].id) : '',
        regionCode: '',
        errors: {},
        message: null,
      },
      created: count(raw.created),
      skipped: count(raw.skipped),
      applied: count(raw.applied),
      appliedNothing: raw.applied === '0',
    };
  }
}
