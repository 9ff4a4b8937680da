import { Body, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { CHECK_RULE_LABELS, CHECK_RULES } from '../checks/check-rules.js';
import { CheckRuns } from '../checks/check-runs.service.js';
import { type ChecksResult, ChecksService } from '../checks/checks.service.js';
import { RunChecksDto } from '../checks/dto/run-checks.dto.js';
import { httpStatusOf } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { PageQuery } from '../common/pagination.js';
import { RunEscalationDto } from '../escalation/dto/run-escalation.dto.js';
import { EscalationRuns } from '../escalation/escalation-runs.service.js';
import { EscalationService, type RunResult } from '../escalation/escalation.service.js';
import { ESCALATION_LEVELS } from '../ledger/escalation-policy.js';
import { ESCALATION_LABELS } from '../ledger/item-labels.js';
import { RegionsService } from '../regions/regions.service.js';
import { ChoicesService } from './choices.service.js';
import { attempt, type FieldErrors, readForm, refusalMessage } from './forms.js';
import { Mirrors } from './mirrors.decorator.js';
import { PageController } from './page-controller.decorator.js';
import { pagerOf, readQuery } from './page-query.js';
import { CHECK_RUN_REFUSALS, ESCALATION_RUN_REFUSALS, runRow, TRIGGER_LABELS } from './run-views.js';

const CHECKS_FORM = {
  dto: RunChecksDto,
  labels: { campaignId: '整改专项', asOf: '检查日期' },
  integers: ['campaignId'],
};
const ESCALATION_FORM = { dto: RunEscalationDto, labels: { asOf: '预警日期' } };

interface Form {
  values: Record<string, string>;
  errors: FieldErrors;
  message?: string | null;
}

/**
 * 运行查漏补缺 and 运行预警 (SPEC §6.1): each first a dry run that lists what would change (counts
 * per rule or level, the first items), then a confirm button that runs it for real with the same
 * inputs through the same service call; below, the runs' history with their status.
 */
@PageController('system')
export class RunsPagesController {
  constructor(
    private readonly checks: ChecksService,
    private readonly checkRuns: CheckRuns,
    private readonly escalation: EscalationService,
    private readonly escalationRuns: EscalationRuns,
    private readonly choices: ChoicesService,
    private readonly regions: RegionsService,
    private readonly clock: Clock,
  ) {}

  @Get()
  @Require(Permission.ChecksRun, Permission.EscalationsRun)
  index(@Res() res: Response): void {
    res.redirect(303, '/system/checks');
  }

  @Get('checks')
  @Require(Permission.ChecksRun)
  async checksPage(
    @CurrentUser() user: AuthUser,
    @Query() raw: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    res.render('system/checks', await this.checksView(user, readQuery(PageQuery, raw), null, null, raw.done));
  }

  /** 试运行: what the checks would open, nothing written but the run's record. */
  @Post('checks/dry-run')
  @Require(Permission.ChecksRun)
  @Mirrors('POST /api/checks/run')
  checksDryRun(@CurrentUser() user: AuthUser, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.runChecks(user, body, true, res);
  }

  /** 确认运行: the same inputs, for real. */
  @Post('checks/run')
  @Require(Permission.ChecksRun)
  @Mirrors('POST /api/checks/run')
  checksRun(@CurrentUser() user: AuthUser, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.runChecks(user, body, false, res);
  }

  @Get('escalations')
  @Require(Permission.EscalationsRun)
  async escalationsPage(@Query() raw: Record<string, unknown>, @Res() res: Response): Promise<void> {
    res.render('system/escalations', await this.escalationsView(readQuery(PageQuery, raw), null, null, raw.done));
  }

  @Post('escalations/dry-run')
  @Require(Permission.EscalationsRun)
  @Mirrors('POST /api/escalations/run')
  escalationsDryRun(@CurrentUser() user: AuthUser, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.runEscalation(user, body, true, res);
  }

  @Post('escalations/run')
  @Require(Permission.EscalationsRun)
  @Mirrors('POST /api/escalations/run')
  escalationsRun(@CurrentUser() user: AuthUser, @Body() body: unknown, @Res() res: Response): Promise<void> {
    return this.runEscalation(user, body, false, res);
  }

  private async runChecks(user: AuthUser, body: unknown, dryRun: boolean, res: Response): Promise<void> {
    const form = readForm(CHECKS_FORM, body);
    const errors = withDate(form.errors, form.values, '请填写检查日期');
    let message: string | null = null;
    let status = 400;
    if (form.dto && !errors.asOf) {
      const dto = form.dto;
      let result: ChecksResult | null = null;
      const refused = await attempt(async () => {
        result = await this.checks.run(user, dto.campaignId, dto.asOf, dryRun);
      });
      if (!refused && !dryRun) {
        res.redirect(303, `/system/checks?done=${result!.runId}`);
        return;
      }
      if (!refused) {
        res.render('system/checks', await this.checksView(user, new PageQuery(), form, result, null));
        return;
      }
      status = httpStatusOf(refused.code);
      const field = refused.field === 'campaignId' || refused.field === 'asOf' ? refused.field : null;
      if (field) {
        errors[field] = CHECK_RUN_REFUSALS[field];
      } else {
        message = refusalMessage(refused);
      }
    }
    const view = await this.checksView(user, new PageQuery(), { values: form.values, errors, message }, null, null);
    res.status(status).render('system/checks', view);
  }

  private async runEscalation(user: AuthUser, body: unknown, dryRun: boolean, res: Response): Promise<void> {
    const form = readForm(ESCALATION_FORM, body);
    const errors = withDate(form.errors, form.values, '请填写预警日期');
    let message: string | null = null;
    let status = 400;
    if (form.dto && !errors.asOf) {
      const asOf = form.dto.asOf;
      let result: RunResult | null = null;
      const refused = await attempt(async () => {
        result = await this.escalation.run({ asOf, dryRun, trigger: 'manual', startedBy: user.id });
      });
      if (!refused && !dryRun) {
        res.redirect(303, `/system/escalations?done=${result!.runId}`);
        return;
      }
      if (!refused) {
        res.render('system/escalations', await this.escalationsView(new PageQuery(), form, result, null));
        return;
      }
      status = httpStatusOf(refused.code);
      if (refused.field === 'asOf') {
        errors.asOf = ESCALATION_RUN_REFUSALS.asOf;
      } else {
        message = refusalMessage(refused);
      }
    }
    const view = await this.escalationsView(new PageQuery(), { values: form.values, errors, message }, null, null);
    res.status(status).render('system/escalations', view);
  }

  private async checksView(
    user: AuthUser,
    query: PageQuery,
    form: Form | null,
    dry: ChecksResult | null,
    done: unknown,
  ) {
    const [campaigns, regions, history] = await Promise.all([
      this.choices.campaignList(),
      this.streetNames(),
      this.checkRuns.list(query),
    ]);
    const campaignName = new Map(campaigns.map((c) => [c.id, c.name]));
    const runs = history.items.map((run) => ({
      ...runRow(run),
      campaign: campaignName.get(run.campaignId) ?? `#${run.campaignId}`,
      found: run.found,
      opened: run.opened,
    }));
    return {
      title: '运行查漏补缺',
      mayEscalate: hasPermission(user.role, Permission.EscalationsRun),
      campaigns: campaigns.map((c) => ({ value: String(c.id), label: c.name })),
      form: form ?? { values: { campaignId: String(campaigns[0]?.id ?? ''), asOf: this.clock.today() }, errors: {} },
      dry: dry && {
        ...dry,
        campaign: campaignName.get(dry.campaignId),
        total: CHECK_RULES.reduce((sum, r) => sum + dry.opened[r], 0),
        rules: CHECK_RULES.map((r) => ({ label: CHECK_RULE_LABELS[r], found: dry.found[r], opened: dry.opened[r] })),
        rows: dry.preview.map((row) => ({
          ...row,
          rule: CHECK_RULE_LABELS[row.rule],
          street: regions.get(row.regionCode) ?? row.regionCode,
        })),
      },
      done: runs.find((r) => String(r.id) === done) ?? null,
      runs,
      pager: pagerOf('/system/checks', new URLSearchParams(), history.page, history.pageSize, history.total),
    };
  }

  private async escalationsView(query: PageQuery, form: Form | null, dry: RunResult | null, done: unknown) {
    const history = await this.escalationRuns.list(query);
    const regions = dry ? await this.streetNames() : new Map<string, string>();
    const levels = (byLevel: Record<string, number>) =>
      ESCALATION_LEVELS.filter((l) => l > 0).map((l) => ({ label: ESCALATION_LABELS[l], count: byLevel[String(l)] }));
    const runs = history.items.map((run) => ({
      ...runRow(run),
      trigger: TRIGGER_LABELS[run.trigger],
      escalated: run.escalated,
      levels: levels(run.byLevel),
    }));
    return {
      title: '运行预警',
      form: form ?? { values: { asOf: this.clock.today() }, errors: {} },
      dry: dry && {
        ...dry,
        levels: levels(dry.byLevel),
        rows: dry.preview.map((row) => ({ ...row, street: regions.get(row.regionCode) ?? row.regionCode })),
      },
      done: runs.find((r) => String(r.id) === done) ?? null,
      runs,
      pager: pagerOf('/system/escalations', new URLSearchParams(), history.page, history.pageSize, history.total),
    };
  }

  /** Sub-district names by code (the whole district's: the runs are the district's). */
  private async streetNames(): Promise<Map<string, string>> {
    const districts = await this.regions.tree();
    return new Map(districts.flatMap((d) => d.children.map((s): [string, string] => [s.code, s.name])));
  }
}

/** The form's errors, and one at `asOf` when it was left empty: the API's default (today) is not guessed for a run. */
function withDate(errors: FieldErrors, values: Record<string, string>, missing: string): FieldErrors {
  return values.asOf?.trim() ? { ...errors } : { ...errors, asOf: missing };
}
