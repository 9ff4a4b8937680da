import { Body, Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { httpStatusOf } from '../common/app-error.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { ListHouseholdsQuery } from '../households/dto/household.dto.js';
import { HOUSEHOLD_STATUS_LABELS, POVERTY_CAUSE_LABELS, RELATION_LABELS } from '../households/household-labels.js';
import { HouseholdsService } from '../households/households.service.js';
import { ChoicesService } from './choices.service.js';
import { attempt, type FieldErrors } from './forms.js';
import { MEMBER_ROWS, type MemberRow, readNewHousehold, registryRefusal } from './household-forms.js';
import { HouseholdPage } from './household-page.js';
import { optionsOf } from './labels.js';
import { Mirrors } from './mirrors.decorator.js';
import { PageController } from './page-controller.decorator.js';
import { filterParams, lastPageIfPast, pagerOf, readQuery } from './page-query.js';

const FILTERS = ['regionCode', 'status', 'q'] as const;

interface NewHouseholdModel {
  values: Record<string, string>;
  rows: MemberRow[];
  errors: FieldErrors;
  message: string | null;
}

/** 贫困户: the registry list, 新增贫困户 (a household with its members in one form), a household's page. */
@PageController('households')
@Require(Permission.HouseholdsRead)
export class HouseholdsPagesController {
  constructor(
    private readonly households: HouseholdsService,
    private readonly choices: ChoicesService,
    private readonly page: HouseholdPage,
  ) {}

  @Get()
  @Render('households/list')
  async list(@CurrentUser() user: AuthUser, @Query() raw: Record<string, unknown>) {
    const query = readQuery(ListHouseholdsQuery, raw);
    const [page, regions] = await Promise.all([
      lastPageIfPast(query, (q) => this.households.list(user, q)),
      this.choices.regionChoices(user, true),
    ]);
    const params = filterParams(query as unknown as Record<string, unknown>, FILTERS);
    return {
      title: '贫困户',
      filters: { regionCode: query.regionCode ?? '', status: query.status ?? '', q: query.q ?? '' },
      regions,
      statuses: optionsOf(HOUSEHOLD_STATUS_LABELS),
      households: page.items,
      mayCreate: hasPermission(user.role, Permission.HouseholdsWrite),
      pager: pagerOf('/households', params, page.page, page.pageSize, page.total),
    };
  }

  /** 新增贫困户 (declared before `:id`). */
  @Get('new')
  @Require(Permission.HouseholdsWrite)
  async newForm(@CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    const rows = Array.from({ length: MEMBER_ROWS }, (_, index) => ({
      index,
      number: index + 1,
      values: { idNumber: '', name: '', relation: index === 0 ? 'head' : '' },
      errors: {},
    }));
    res.render(
      'households/new',
      await this.newModel(user, { values: { status: 'poor' }, rows, errors: {}, message: null }),
    );
  }

  @Post()
  @Require(Permission.HouseholdsWrite)
  @Mirrors('POST /api/households')
  async create(@CurrentUser() user: AuthUser, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const form = readNewHousehold(body);
    let status = 400;
    let message: string | null = null;
    if (form.dto) {
      let id = 0;
      const refused = await attempt(async () => {
        id = await this.households.create(user, form.dto!);
      });
      if (!refused) {
        res.redirect(303, `/households/${id}?done=created`);
        return;
      }
      status = httpStatusOf(refused.code);
      const { field, text } = registryRefusal(refused);
      const row = /^members\.(\d+)\.(\w+)$/.exec(field ?? '');
      if (row) {
        // The service numbers the members it was given: the filled rows, in order.
        const filled = form.rows.filter((r) => Object.values(r.values).some((v) => v.trim() !== ''));
        filled[Number(row[1])].errors[row[2]] = text;
      } else if (field) {
        form.errors[field] = text;
      } else {
        message = text;
      }
    }
    res.status(status).render('households/new', await this.newModel(user, { ...form, message }));
  }

  @Get(':id')
  async show(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Query('done') done: unknown,
    @Query('health') health: unknown,
    @Res() res: Response,
  ): Promise<void> {
    await this.page.render(res, user, id, { done: typeof done === 'string' ? done : null, health: { done: health } });
  }

  private async newModel(user: AuthUser, form: NewHouseholdModel) {
    return {
      title: '新增贫困户',
      form,
      options: {
        regions: await this.choices.regionChoices(user, true),
        causes: optionsOf(POVERTY_CAUSE_LABELS),
        statuses: optionsOf(HOUSEHOLD_STATUS_LABELS),
        relations: optionsOf(RELATION_LABELS),
      },
    };
  }
}
