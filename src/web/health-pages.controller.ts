import { Body, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { AppError, ErrorCode, httpStatusOf } from '../common/app-error.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { ConditionsService } from '../health/conditions.service.js';
import { ContractRenewalService } from '../health/contract-renewal.service.js';
import { ContractsService } from '../health/contracts.service.js';
import type {
  CreateConditionDto,
  CreateContractDto,
  CreateFollowUpDto,
  RenewContractDto,
} from '../health/dto/health.dto.js';
import { type HouseholdView, HealthProfileService } from '../health/health-profile.service.js';
import { FollowUpFilingService } from '../ledger/follow-up-filing.service.js';
import { attempt } from './forms.js';
import { formKey, type HealthForm, type HealthRefusal, readHealthForm } from './health-forms.js';
import { healthRefusal } from './health-messages.js';
import { HouseholdPage } from './household-page.js';
import { Mirrors } from './mirrors.decorator.js';
import { PageController } from './page-controller.decorator.js';

/**
 * The health forms of the household page (issue #16): 新增患病, 变更救治状态, 家医签约, 续签 and
 * 随访登记, each posted from the member's block. Success redirects back to the member with a line
 * saying what was done (POST/redirect/GET); a refusal re-renders the household page with what the
 * user typed and the Chinese message at the field. A record that is not of this household is 404.
 */
@PageController('households')
@Require(Permission.HealthWrite)
export class HealthPagesController {
  constructor(
    private readonly profiles: HealthProfileService,
    private readonly conditions: ConditionsService,
    private readonly contracts: ContractsService,
    private readonly renewal: ContractRenewalService,
    private readonly followUps: FollowUpFilingService,
    private readonly page: HouseholdPage,
  ) {}

  @Post(':id/persons/:personId/conditions')
  @Mirrors('POST /api/persons/:id/conditions')
  addCondition(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Param('personId', ParseIdPipe) personId: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    return this.perform(user, id, 'condition', personId, body, res, (dto) =>
      this.conditions.add(user, personId, dto as CreateConditionDto),
    );
  }

  @Post(':id/conditions/:conditionId')
  @Mirrors('PATCH /api/conditions/:id')
  updateCondition(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Param('conditionId', ParseIdPipe) conditionId: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    return this.perform(user, id, 'treatment', conditionId, body, res, (dto) =>
      this.conditions.update(user, conditionId, dto),
    );
  }

  @Post(':id/persons/:personId/contracts')
  @Mirrors('POST /api/contracts')
  sign(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Param('personId', ParseIdPipe) personId: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    return this.perform(user, id, 'contract', personId, body, res, (dto) =>
      this.contracts.create(user, dto as CreateContractDto),
    );
  }

  @Post(':id/contracts/:contractId/renew')
  @Mirrors('POST /api/contracts/:id/renew')
  renew(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Param('contractId', ParseIdPipe) contractId: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    return this.perform(user, id, 'renew', contractId, body, res, (dto) =>
      this.renewal.renew(user, contractId, dto as RenewContractDto),
    );
  }

  @Post(':id/contracts/:contractId/follow-ups')
  @Mirrors('POST /api/contracts/:id/follow-ups')
  addFollowUp(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Param('contractId', ParseIdPipe) contractId: number,
    @Body() body: unknown,
    @Res() res: Response,
  ) {
    return this.perform(user, id, 'followup', contractId, body, res, (dto) =>
      this.followUps.record(user, contractId, dto as CreateFollowUpDto),
    );
  }

  private async perform(
    user: AuthUser,
    householdId: number,
    form: HealthForm,
    recordId: number,
    body: unknown,
    res: Response,
    run: (dto: object) => Promise<unknown>,
  ): Promise<void> {
    const memberId = memberOf(await this.profiles.forHousehold(user, householdId), form, recordId);
    const parsed = readHealthForm(form, body, recordId);
    const refusal: HealthRefusal = {
      key: formKey(form, recordId),
      values: parsed.values,
      errors: parsed.errors,
      message: null,
    };
    let status = 400;
    if (parsed.dto) {
      const refused = await attempt(() => run(parsed.dto!));
      if (!refused) {
        res.redirect(303, `/households/${householdId}?health=${form}-${memberId}#member-${memberId}`);
        return;
      }
      status = httpStatusOf(refused.code);
      const text = healthRefusal(refused);
      // At its field when the form has one (the stale version and the rest: above the form).
      if (refused.field && refused.field !== 'version' && refused.field in parsed.values) {
        refusal.errors = { ...refusal.errors, [refused.field]: text };
      } else {
        refusal.message = text;
      }
    }
    // The household page as its own handler builds it, with this form's input and messages.
    await this.page.render(res, user, householdId, { status, health: { refusal } });
  }
}

/** The member a form's record belongs to, on this household's page; anything else is not found (404). */
function memberOf(household: HouseholdView, form: HealthForm, recordId: number): number {
  const member = household.members.find((m) => {
    switch (form) {
      case 'condition':
      case 'contract':
        return m.id === recordId;
      case 'treatment':
        return m.conditions.some((c) => c.id === recordId);
      case 'renew':
      case 'followup':
        return m.contracts.some((c) => c.id === recordId);
    }
  });
  if (!member) {
    throw new AppError(ErrorCode.NotFound, `${form} record ${recordId} not found on household ${household.id}`);
  }
  return member.id;
}
