import { Body, Ip, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { AppError, ErrorCode, httpStatusOf } from '../common/app-error.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { HouseholdsService } from '../households/households.service.js';
import { PersonsService } from '../households/persons.service.js';
import { attempt, type FieldErrors, type FormSpec, readForm } from './forms.js';
import {
  HOUSEHOLD_EDIT_FORM,
  idNumberMessage,
  MEMBER_FORM,
  PERSON_STATUS_FORM,
  registryRefusal,
  REVEAL_FORM,
} from './household-forms.js';
import { type HouseholdForm, HouseholdPage } from './household-page.js';
import { Mirrors } from './mirrors.decorator.js';
import { PageController } from './page-controller.decorator.js';

/**
 * The household page's forms: 修改户信息, 新增成员, a member's 状态变更 (已故/迁出 with the day) and
 * 查看完整身份证号 (with a reason, logged). Each first finds the record in the caller's scope — another
 * sub-district's is 404, whoever asks — and only then asks whether the role may change it (403).
 */
@PageController()
export class HouseholdFormsController {
  constructor(
    private readonly households: HouseholdsService,
    private readonly persons: PersonsService,
    private readonly page: HouseholdPage,
  ) {}

  @Post('households/:id')
  @Require(Permission.HouseholdsRead)
  @Mirrors('PATCH /api/households/:id')
  async update(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    await this.households.get(user, id);
    mayUse(user, Permission.HouseholdsWrite);
    await this.submit(res, user, id, 'household', HOUSEHOLD_EDIT_FORM, body, (dto) =>
      this.households.update(user, id, dto),
    );
  }

  @Post('households/:id/members')
  @Require(Permission.HouseholdsRead)
  @Mirrors('POST /api/households/:id/members')
  async addMember(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    await this.households.get(user, id);
    mayUse(user, Permission.HouseholdsWrite);
    await this.submit(res, user, id, 'member', MEMBER_FORM, body, (dto) => this.households.addMember(user, id, dto));
  }

  @Post('persons/:id')
  @Require(Permission.PersonsRead)
  @Mirrors('PATCH /api/persons/:id')
  async updatePerson(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const { householdId } = await this.persons.get(user, id);
    mayUse(user, Permission.HouseholdsWrite);
    await this.submit(
      res,
      user,
      householdId,
      'status',
      PERSON_STATUS_FORM,
      body,
      (dto) => this.persons.update(user, id, dto),
      id,
    );
  }

  /** The full number, shown in place on the household page of this response only (never in a link or a redirect). */
  @Post('persons/:id/id-number')
  @Require(Permission.PersonsRead)
  @Mirrors('GET /api/persons/:id/id-number')
  async reveal(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Ip() ip: string,
    @Res() res: Response,
  ): Promise<void> {
    const { householdId } = await this.persons.get(user, id);
    mayUse(user, Permission.IdNumberReadFull);
    const form = readForm(REVEAL_FORM, body);
    const reason = form.dto?.reason;
    if (!reason) {
      form.errors.reason ??= '请填写查看原因';
      const refusal = {
        form: 'reveal' as const,
        personId: id,
        values: form.values,
        errors: form.errors,
        message: null,
      };
      await this.page.render(res, user, householdId, { status: 400, refusal });
      return;
    }
    const { idNumber } = await this.persons.fullIdNumber(user, id, ip, reason);
    await this.page.render(res, user, householdId, { revealed: { personId: id, idNumber } });
  }

  /** Reads the form through the API's DTO and performs it; success redirects, a refusal re-renders what was typed. */
  private async submit<T extends object>(
    res: Response,
    user: AuthUser,
    householdId: number,
    formName: HouseholdForm,
    spec: FormSpec<T>,
    body: unknown,
    action: (dto: T) => Promise<unknown>,
    personId?: number,
  ): Promise<void> {
    const form = readForm(spec, body);
    Object.assign(form.errors, pageRules(formName, form.values, form.errors));
    let status = 400;
    let message: string | null = null;
    if (form.dto && Object.keys(form.errors).length === 0) {
      const refused = await attempt(() => action(form.dto!));
      if (!refused) {
        res.redirect(303, `/households/${householdId}?done=${formName === 'household' ? 'updated' : formName}`);
        return;
      }
      status = httpStatusOf(refused.code);
      const { field, text } = registryRefusal(refused);
      if (field) {
        form.errors[field] = text;
      } else {
        message = text;
      }
    }
    const refusal = { form: formName, personId, values: form.values, errors: form.errors, message };
    await this.page.render(res, user, householdId, { status, refusal });
  }
}

/**
 * What the page says beyond the DTO's rules: which rule a wrong ID number breaks, and that a
 * 已故/迁出 needs its day (the API takes a status without one, as rosters record it).
 */
function pageRules(form: HouseholdForm, values: Record<string, string>, errors: FieldErrors): FieldErrors {
  const more: FieldErrors = {};
  if (form === 'member' && errors.idNumber && values.idNumber.trim() !== '') {
    more.idNumber = idNumberMessage(values.idNumber);
  }
  if (form === 'status' && values.status !== 'active' && values.statusChangedOn.trim() === '' && !errors.status) {
    more.statusChangedOn = '请填写变更日期（已故或迁出的日期）';
  }
  return more;
}

/** A role without the permission may not use the form (403), once the record is known to be in its scope. */
function mayUse(user: AuthUser, permission: Permission): void {
  if (!hasPermission(user.role, permission)) {
    throw new AppError(ErrorCode.Forbidden, `the role ${user.role} may not use this form`);
  }
}
