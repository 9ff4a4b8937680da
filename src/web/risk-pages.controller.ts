import { Body, Get, Param, Post, Query, Res, UploadedFile } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { Clock } from '../common/clock.js';
import { PageQuery } from '../common/pagination.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { ledgerActorOf } from '../ledger/ledger.service.js';
import { AlertsQuery, RunRiskDto, ThresholdsDto, UploadSettlementsDto, YearQuery } from '../risk/dto/risk.dto.js';
import { RiskAlertsService } from '../risk/risk-alerts.service.js';
import { RiskRunService } from '../risk/risk-run.service.js';
import { RiskThresholdsService } from '../risk/risk-thresholds.service.js';
import { SettlementUploadsService } from '../risk/settlement-uploads.service.js';
import { removeUpload } from '../uploads/upload.interceptor.js';
import { attempt, type FieldErrors, type FormSpec, readForm, refusalMessage } from './forms.js';
import { JOB_STATUS_LABELS, REFRESH_SECONDS, uploadRefusal } from './imports-pages.controller.js';
import { Mirrors } from './mirrors.decorator.js';
import { PageController } from './page-controller.decorator.js';
import { pagerOf, readQuery } from './page-query.js';
import { UploadForm } from './upload-form.js';

const YEAR_FORM: FormSpec<YearQuery> = { dto: YearQuery, labels: { year: '年度' }, integers: ['year'] };
const UPLOAD_FORM: FormSpec<UploadSettlementsDto> = {
  dto: UploadSettlementsDto,
  labels: { year: '结算年度' },
  integers: ['year'],
};
const THRESHOLDS_FORM: FormSpec<ThresholdsDto> = {
  dto: ThresholdsDto,
  labels: {
    ruralIncome: '上年农村居民人均可支配收入',
    registeredRatio: '建档立卡人员比例',
    otherRatio: '其他人员比例',
  },
  messages: {
    ruralIncome: '请填写大于 0 的金额（元，最多两位小数）',
    registeredRatio: '请填写大于 0、不超过 5 的比例（如 0.5 表示 50%）',
    otherRatio: '请填写大于 0、不超过 5 的比例（如 1 表示 100%）',
  },
};
const RUN_FORM: FormSpec<RunRiskDto> = {
  dto: RunRiskDto,
  labels: { year: '年度', asOf: '截至日期' },
  integers: ['year'],
};

const KIND_LABELS: Record<string, string> = { registered: '建档立卡人员', other: '其他人员' };

/** What the page re-renders a refused form with. */
interface Refused {
  form: 'upload' | 'thresholds' | 'run';
  values: Record<string, string>;
  errors: FieldErrors;
  message: string | null;
}

/**
 * 风险预警 (SPEC §6.6): the year's funnel by sub-district, the alerts (ID numbers masked) with links
 * to the household and the item, the push list download, and the forms of those who may use them —
 * settlement upload (insurance staff, admins), thresholds and the run (admins).
 */
@PageController('risk')
@Require(Permission.RiskRead)
export class RiskPagesController {
  constructor(
    private readonly alerts: RiskAlertsService,
    private readonly thresholds: RiskThresholdsService,
    private readonly runs: RiskRunService,
    private readonly uploads: SettlementUploadsService,
    private readonly clock: Clock,
  ) {}

  @Get()
  async show(
    @CurrentUser() user: AuthUser,
    @Query() raw: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    res.render('risk/index', await this.page(user, raw, null));
  }

  @Post('settlements')
  @UploadForm()
  @Require(Permission.RiskSettlementsUpload)
  @Mirrors('POST /api/risk/settlements')
  async upload(
    @CurrentUser() user: AuthUser,
    @UploadedFile() file: Express.Multer.File,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const form = readForm(UPLOAD_FORM, body);
    let message: string | null = null;
    if (form.dto) {
      let id = 0;
      const refused = await attempt(async () => {
        id = (await this.uploads.create(user, file, form.dto!.year)).id;
      });
      if (!refused) {
        res.redirect(303, `/risk/settlements/${id}`);
        return;
      }
      message = uploadRefusal(refused);
    }
    await removeUpload(file.path);
    const refusal: Refused = { form: 'upload', values: form.values, errors: form.errors, message };
    res.status(400).render('risk/index', await this.page(user, { year: form.values.year }, refusal));
  }

  @Get('settlements/:id')
  @Require(Permission.RiskSettlementsUpload)
  async uploadPage(@Param('id', ParseIdPipe) id: number, @Res() res: Response): Promise<void> {
    const upload = await this.uploads.get(id);
    const running = upload.status === 'queued' || upload.status === 'running';
    res.render('risk/upload', {
      title: `结算数据上传 #${upload.id}`,
      upload,
      statusLabel: JOB_STATUS_LABELS[upload.status] ?? upload.status,
      refreshSeconds: running ? REFRESH_SECONDS : null,
    });
  }

  @Post('thresholds')
  @Require(Permission.RiskThresholdsManage)
  @Mirrors('PUT /api/risk/thresholds/:year')
  async setThresholds(@CurrentUser() user: AuthUser, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const year = readForm(YEAR_FORM, body);
    const form = readForm(THRESHOLDS_FORM, body);
    if (year.dto && form.dto) {
      await this.thresholds.set(user, year.dto.year, form.dto);
      res.redirect(303, `/risk?year=${year.dto.year}&done=thresholds`);
      return;
    }
    const refusal: Refused = {
      form: 'thresholds',
      values: { ...year.values, ...form.values },
      errors: { ...year.errors, ...form.errors },
      message: null,
    };
    res.status(400).render('risk/index', await this.page(user, { year: year.values.year }, refusal));
  }

  @Post('run')
  @Require(Permission.RiskRun)
  @Mirrors('POST /api/risk/run')
  async run(@CurrentUser() user: AuthUser, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const form = readForm(RUN_FORM, body);
    let message: string | null = null;
    if (form.dto) {
      const refused = await attempt(() => this.runs.run(form.dto!, ledgerActorOf(user)));
      if (!refused) {
        res.redirect(303, `/risk?year=${form.dto.year}&done=run`);
        return;
      }
      message =
        refused.field === 'thresholds'
          ? `${form.dto.year}年度还没有设置预警阈值（上年农村居民人均可支配收入与比例），请先设置阈值`
          : refusalMessage(refused);
    }
    const refusal: Refused = { form: 'run', values: form.values, errors: form.errors, message };
    res.status(message ? 409 : 400).render('risk/index', await this.page(user, { year: form.values.year }, refusal));
  }

  private async page(user: AuthUser, raw: Record<string, unknown>, refusal: Refused | null) {
    const thisYear = Number(this.clock.today().slice(0, 4));
    const given = typeof raw.year === 'string' ? raw.year : '';
    const year = /^\d{4}$/.test(given) ? Number(given) : ((await this.alerts.latestYear(thisYear)) ?? thisYear);
    const query = readQuery(AlertsQuery, { ...raw, year: String(year) });
    const list = await this.alerts.list(query);
    const may = (p: Permission) => hasPermission(user.role, p);
    const formOf = (name: Refused['form']) => ({
      values: refusal?.form === name ? refusal.values : {},
      errors: refusal?.form === name ? refusal.errors : {},
      message: refusal?.form === name ? refusal.message : null,
    });
    const done = raw.done === 'thresholds' ? '预警阈值已保存。' : raw.done === 'run' ? '预警已运行。' : null;
    return {
      title: '风险预警',
      year,
      done,
      thresholds: list.thresholds,
      allThresholds: await this.thresholds.list(),
      funnel: list.funnel,
      alerts: list.items.map((a) => ({
        ...a,
        kindLabel: KIND_LABELS[a.kind],
        householdHref: a.householdId && may(Permission.HouseholdsRead) ? `/households/${a.householdId}` : null,
      })),
      pager: pagerOf('/risk', new URLSearchParams({ year: String(year) }), list.page, list.pageSize, list.total),
      pushList: may(Permission.RiskPushList) ? `/api/risk/push-list?year=${year}` : null,
      uploads: may(Permission.RiskSettlementsUpload)
        ? (await this.uploads.list(new PageQuery())).items.map((u) => ({
            ...u,
            statusLabel: JOB_STATUS_LABELS[u.status] ?? u.status,
          }))
        : null,
      forms: {
        upload: may(Permission.RiskSettlementsUpload) ? formOf('upload') : null,
        thresholds: may(Permission.RiskThresholdsManage) ? formOf('thresholds') : null,
        run: may(Permission.RiskRun) ? formOf('run') : null,
      },
    };
  }
}
