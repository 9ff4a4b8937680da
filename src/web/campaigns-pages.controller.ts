import { Body, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { ErrorCode } from '../common/app-error.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { DEFAULT_TREATMENT_START_DAYS } from '../health/treatment-rules.js';
import { DEFAULT_THRESHOLDS } from '../ledger/campaign.entity.js';
import { CampaignFigures } from '../ledger/campaign-figures.js';
import { CampaignsService } from '../ledger/campaigns.service.js';
import { CreateCampaignDto, UpdateCampaignDto } from '../ledger/dto/create-campaign.dto.js';
import { ChoicesService } from './choices.service.js';
import { attempt, type FieldErrors, type FormSpec, readForm, refusalMessage } from './forms.js';
import { Mirrors } from './mirrors.decorator.js';
import { PageController } from './page-controller.decorator.js';

const SETTINGS_LABELS = { closeReview: '销号审核', evidenceRequired: '须附佐证材料' };

const CREATE: FormSpec<CreateCampaignDto> = {
  dto: CreateCampaignDto,
  labels: {
    name: '专项名称',
    year: '年度',
    deadline: '截止日期',
    reminderDays: '提醒天数',
    warningDays: '预警天数',
    supervisedDays: '督办天数',
    treatmentStartDays: '救治时限天数',
    ...SETTINGS_LABELS,
  },
  integers: ['year', 'reminderDays', 'warningDays', 'supervisedDays', 'treatmentStartDays'],
  booleans: ['closeReview', 'evidenceRequired'],
};

const UPDATE: FormSpec<UpdateCampaignDto> = {
  dto: UpdateCampaignDto,
  labels: SETTINGS_LABELS,
  booleans: ['closeReview', 'evidenceRequired'],
};

/** The service's refusal of a field the form's own rules cannot see. */
const FIELD_REFUSALS: Record<string, string> = { reminderDays: '提醒天数须大于预警天数。' };

interface FormState {
  values: Record<string, string>;
  errors: FieldErrors;
  message: string | null;
}

const DONE: Record<string, string> = { created: '整改专项已创建。', updated: '销号审核设置已保存。' };

/**
 * 整改专项: every campaign with its figures (within the caller's scope), and for those who manage
 * campaigns the form to create one and each campaign's 销号审核 settings, through the API's service.
 */
@PageController('campaigns')
@Require(Permission.CampaignsRead)
export class CampaignsPagesController {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly figures: CampaignFigures,
    private readonly choices: ChoicesService,
  ) {}

  @Get()
  async list(@CurrentUser() user: AuthUser, @Query('done') done: unknown, @Res() res: Response): Promise<void> {
    await this.render(res, user, 200, { done: typeof done === 'string' ? (DONE[done] ?? null) : null });
  }

  @Post()
  @Require(Permission.CampaignsManage)
  @Mirrors('POST /api/campaigns')
  async create(@CurrentUser() user: AuthUser, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const form = readForm(CREATE, body);
    let message: string | null = null;
    if (form.dto) {
      const dto = form.dto;
      const refused = await attempt(() => this.campaigns.create(dto));
      if (!refused) {
        res.redirect(303, '/campaigns?done=created');
        return;
      }
      const field = refused.code === ErrorCode.Invalid && refused.field ? FIELD_REFUSALS[refused.field] : undefined;
      if (field) {
        form.errors[refused.field!] = field;
      } else {
        message = refusalMessage(refused);
      }
    }
    await this.render(res, user, 400, { create: { values: form.values, errors: form.errors, message } });
  }

  /** The 销号审核 settings of one campaign. */
  @Post(':id')
  @Require(Permission.CampaignsManage)
  @Mirrors('PATCH /api/campaigns/:id')
  async update(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const form = readForm(UPDATE, body);
    if (form.dto) {
      const dto = form.dto;
      const refused = await attempt(() => this.campaigns.update(id, dto));
      if (!refused) {
        res.redirect(303, '/campaigns?done=updated');
        return;
      }
      await this.render(res, user, 400, { edit: { id, state: { ...form, message: refusalMessage(refused) } } });
      return;
    }
    // An unknown campaign is a 404 before any message about its fields.
    await this.campaigns.get(id);
    await this.render(res, user, 400, { edit: { id, state: { ...form, message: null } } });
  }

  private async render(
    res: Response,
    user: AuthUser,
    status: number,
    options: { done?: string | null; create?: FormState; edit?: { id: number; state: FormState } },
  ): Promise<void> {
    const [campaigns, countsOf] = await Promise.all([this.choices.campaignList(), this.figures.byCampaign(user)]);
    const manages = hasPermission(user.role, Permission.CampaignsManage);
    res.status(status).render('campaigns/list', {
      title: '整改专项',
      done: options.done ?? null,
      manages,
      defaults: { ...DEFAULT_THRESHOLDS, treatmentStartDays: DEFAULT_TREATMENT_START_DAYS },
      yesNo: [
        { value: 'true', label: '是' },
        { value: 'false', label: '否' },
      ],
      create: options.create ?? {
        values: { closeReview: 'true', evidenceRequired: 'true' },
        errors: {},
        message: null,
      },
      campaigns: campaigns.map((c) => {
        const edit = options.edit?.id === c.id ? options.edit.state : null;
        return {
          ...c,
          counts: countsOf(c.id),
          edit: {
            values: edit?.values ?? {
              closeReview: String(c.closeReview),
              evidenceRequired: String(c.evidenceRequired),
            },
            errors: edit?.errors ?? {},
            message: edit?.message ?? null,
          },
        };
      }),
    });
  }
}
