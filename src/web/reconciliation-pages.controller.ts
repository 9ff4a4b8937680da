import { Body, Get, Param, Post, Query, Res, UploadedFile } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { existsSync } from 'node:fs';
import { AppConfig } from '../config/app-config.js';
import { demoPovertyRosterPath } from '../reconciliation/roster-templates.js';
import { DISCREPANCY_LABELS, type DiscrepancyKind } from '../reconciliation/discrepancy.entity.js';
import { ANY_SOURCE, KINDS_OF_SOURCE, SOURCE_LABELS, sourcesOf } from '../reconciliation/reconciliation-source.js';
import { RECONCILIATION_SOURCES } from '../reconciliation/reconciliation.entity.js';
import {
  CreateItemsDto,
  MAX_CHOSEN_ROWS,
  CreateReconciliationDto,
  ReconciliationListQuery,
  ReconciliationQuery,
} from '../reconciliation/dto/reconciliation.dto.js';
import { removeUpload } from '../uploads/upload.interceptor.js';
import { DiscrepancyItemsService } from '../reconciliation/discrepancy-items.service.js';
import { ReconciliationService } from '../reconciliation/reconciliation.service.js';
import { RegionsService } from '../regions/regions.service.js';
import { ChoicesService } from './choices.service.js';
import { attempt, type FieldErrors, readForm } from './forms.js';
import { isCancellable, JOB_STATUS_LABELS, REFRESH_SECONDS, uploadRefusal } from './imports-pages.controller.js';
import { PageController } from './page-controller.decorator.js';
import { filterParams, pagerOf, readQuery } from './page-query.js';
import { UploadForm } from './upload-form.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { FIRST_INSURANCE_YEAR } from '../common/programme-years.js';
import { Mirrors } from './mirrors.decorator.js';

const UPLOAD_FORM = {
  dto: CreateReconciliationDto,
  labels: { source: '花名册类型', year: '年度' },
  integers: ['year'],
};

/** The kinds a form checked (a checkbox list posts one value or several). */
function kindsOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

/** The rows a form checked: discrepancy ids. */
function idsOf(value: unknown): number[] {
  return [
    ...new Set(
      kindsOf(value)
        .filter((v) => /^\d{1,9}$/.test(v))
        .map(Number),
    ),
  ];
}

interface ItemsFormState {
  kinds: string[];
  ids: number[];
  campaignId: string;
  regionCode: string;
  errors: FieldErrors;
  message: string | null;
}

/**
 * 数据比对: upload a roster — the insurance bureau's for a year, or the poverty office's register —
 * follow the comparison, read the discrepancies by kind, turn chosen kinds into remediation items,
 * write the enrollment (insurance) or the registry changes (poverty) back. Each user sees the
 * sources they work with.
 */
@PageController('reconciliations')
@Require(...ANY_SOURCE)
export class ReconciliationPagesController {
  constructor(
    private readonly reconciliations: ReconciliationService,
    private readonly discrepancyItems: DiscrepancyItemsService,
    private readonly choices: ChoicesService,
    private readonly regions: RegionsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  @Get()
  async list(
    @CurrentUser() user: AuthUser,
    @Query() raw: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const query = readQuery(ReconciliationListQuery, raw);
    res.render('reconciliation/list', await this.listPage(user, query, null, {}));
  }

  @Post()
  @Mirrors('POST /api/reconciliations')
  @UploadForm()
  async upload(
    @CurrentUser() user: AuthUser,
    @UploadedFile() file: Express.Multer.File,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const form = readForm(UPLOAD_FORM, body);
    let message: string | null = null;
    let errors = form.errors;
    if (form.dto) {
      let id = 0;
      const refused = await attempt(async () => {
        id = (await this.reconciliations.create(user, file, form.dto!)).id;
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
      } else if (refused.code === ErrorCode.Forbidden) {
        throw refused;
      } else {
        message = uploadRefusal(refused);
      }
    }
    // Refused: the file will never be read (the upload interceptor only removes it when the handler throws).
    await removeUpload(file.path);
    res
      .status(400)
      .render(
        'reconciliation/list',
        await this.listPage(
          user,
          Object.assign(new ReconciliationListQuery(), { source: form.dto?.source ?? form.values.source }),
          message,
          errors,
          form.values,
        ),
      );
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
  @Mirrors('POST /api/reconciliations/:id/items')
  async createItems(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const rows = body.scope === 'rows';
    const state: ItemsFormState = {
      kinds: rows ? [] : kindsOf(body.kinds),
      ids: rows ? idsOf(body.ids) : [],
      campaignId: typeof body.campaignId === 'string' ? body.campaignId : '',
      regionCode: typeof body.regionCode === 'string' ? body.regionCode : '',
      errors: {},
      message: null,
    };
    const dto = Object.assign(new CreateItemsDto(), {
      ...(rows ? { ids: state.ids } : { kinds: state.kinds }),
      campaignId: /^\d{1,9}$/.test(state.campaignId) ? Number(state.campaignId) : undefined,
      regionCode: state.regionCode || undefined,
    });
    const source = (await this.reconciliations.get(user, id, new ReconciliationQuery())).source;
    const kinds: readonly string[] = KINDS_OF_SOURCE[source];
    if (rows && (state.ids.length === 0 || state.ids.length > MAX_CHOSEN_ROWS)) {
      state.errors.ids = `请在差异列表中勾选要生成整改问题的行（每次最多 ${MAX_CHOSEN_ROWS} 行）`;
    } else if (!rows && (state.kinds.length === 0 || state.kinds.some((k) => !kinds.includes(k)))) {
      state.errors.kinds = '请至少勾选一类差异';
    }
    if (dto.campaignId === undefined) {
      state.errors.campaignId = '请选择整改专项';
    }
    if (Object.keys(state.errors).length === 0) {
      let outcome = { created: 0, skipped: 0 };
      const refused = await attempt(async () => {
        outcome = await this.discrepancyItems.createItems(user, id, dto);
      });
      if (!refused) {
        res.redirect(303, `/reconciliations/${id}?created=${outcome.created}&skipped=${outcome.skipped}`);
        return;
      }
      state.message =
        refused.code === ErrorCode.InvalidTransition
          ? '比对尚未完成，不能生成整改问题。'
          : refused.field === 'ids'
            ? '勾选的行不属于本次比对，请刷新页面后重新勾选。'
            : this.refusal(refused);
    }
    const page = await this.showPage(user, id, new ReconciliationQuery(), {}, state);
    res.status(400).render('reconciliation/show', page);
  }

  /** 取消比对: the job stops at its next batch and is never resumed; one that has finished meanwhile is left as it is. */
  @Post(':id/cancel')
  @Mirrors('POST /api/reconciliations/:id/cancel')
  async cancel(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Res() res: Response,
  ): Promise<void> {
    const refused = await attempt(() => this.reconciliations.cancel(user, id));
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

  /** 街道 and 村/社区 by region code (a sub-district's own code: its name, no village). */
  private async places(): Promise<Map<string, { subdistrictName: string; villageName: string | null }>> {
    const places = new Map<string, { subdistrictName: string; villageName: string | null }>();
    for (const district of await this.regions.tree()) {
      for (const sub of district.children) {
        places.set(sub.code, { subdistrictName: sub.name, villageName: null });
        for (const village of sub.children) {
          places.set(village.code, { subdistrictName: sub.name, villageName: village.name });
        }
      }
    }
    return places;
  }

  private refusal(error: AppError): string {
    return error.field === 'regionCode' ? '请选择有效的街道。' : '操作未能完成，请检查后重试。';
  }

  /** One source's reconciliations and the upload form for that source, with links to the user's other sources. */
  private async listPage(
    user: AuthUser,
    query: ReconciliationListQuery,
    message: string | null,
    errors: FieldErrors,
    values: Record<string, string> = {},
  ) {
    const source = (RECONCILIATION_SOURCES as readonly string[]).includes(query.source) ? query.source : 'insurance';
    const page = await this.reconciliations.list(user, query, source);
    const sources = sourcesOf(user);
    return {
      title: '数据比对',
      message,
      errors,
      year: values.year ?? '',
      years: this.yearChoices(),
      source,
      sourceLabel: SOURCE_LABELS[source],
      tabs:
        sources.length > 1
          ? sources.map((s) => ({
              href: `/reconciliations?source=${s}`,
              label: SOURCE_LABELS[s],
              current: s === source,
            }))
          : [],
      insurance: source === 'insurance',
      poverty: source === 'poverty',
      // With the demo district: its poverty register, planted with every kind of discrepancy, to upload.
      demoRoster:
        source === 'poverty' && this.config.demoData && existsSync(demoPovertyRosterPath(this.config))
          ? demoPovertyRosterPath(this.config)
          : null,
      runs: page.items.map((r) => ({
        ...r,
        sourceLabel: SOURCE_LABELS[r.source],
        poverty: r.source === 'poverty',
        statusLabel: JOB_STATUS_LABELS[r.status] ?? r.status,
        total: Object.values(r.counts).reduce((n, c) => n + (c ?? 0), 0),
      })),
      pager: pagerOf(
        '/reconciliations',
        new URLSearchParams(source === 'insurance' ? {} : { source }),
        page.page,
        page.pageSize,
        page.total,
      ),
    };
  }

  private async showPage(
    user: AuthUser,
    id: number,
    query: ReconciliationQuery,
    raw: Record<string, unknown>,
    form: ItemsFormState | null,
  ) {
    const rec = await this.reconciliations.get(user, id, query);
    const [campaigns, regions, places] = await Promise.all([
      this.choices.campaignList(),
      this.choices.regionChoices(user, false),
      this.places(),
    ]);
    const running = rec.status === 'queued' || rec.status === 'running';
    const params = filterParams(query as unknown as Record<string, unknown>, ['kind']);
    const checked = new Set(form?.kinds ?? []);
    const chosenRows = new Set(form?.ids ?? []);
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
      poverty: rec.source === 'poverty',
      sourceLabel: SOURCE_LABELS[rec.source],
      kinds: KINDS_OF_SOURCE[rec.source].map((kind: DiscrepancyKind) => ({
        kind,
        label: DISCREPANCY_LABELS[kind],
        count: rec.counts[kind] ?? 0,
        current: query.kind === kind,
        checked: checked.has(kind),
      })),
      kind: query.kind ?? null,
      kindLabel: query.kind ? DISCREPANCY_LABELS[query.kind] : null,
      discrepancies: rec.discrepancies.items.map((d) => ({
        ...d,
        kindLabel: DISCREPANCY_LABELS[d.kind],
        ...(d.regionCode ? places.get(d.regionCode) : undefined),
        chosen: chosenRows.has(d.id),
      })),
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
        ids: [],
        campaignId: campaigns[0] ? String(campaigns[0].id) : '',
        regionCode: '',
        errors: {},
        message: null,
      },
      created: count(raw.created),
      skipped: count(raw.skipped),
      applied: count(raw.applied),
      appliedNothing: raw.applied === '0',
      registryInterrupted: rec.registryApply?.status === 'applying',
      registryApplied: count(raw.registryApplied),
      registryAppliedNothing: raw.registryApplied === '0',
    };
  }
}
