import { Body, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import type { UserView } from '../auth/auth.service.js';
import { UpdateUserDto } from '../auth/dto/update-user.dto.js';
import { Permission, ROLES } from '../auth/roles.js';
import { UsersService } from '../auth/users.service.js';
import { type AppError, ErrorCode, httpStatusOf } from '../common/app-error.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { ChoicesService } from './choices.service.js';
import { attempt, type FieldErrors, readForm, refusalMessage } from './forms.js';
import { ROLE_LABELS } from './labels.js';
import { Mirrors } from './mirrors.decorator.js';
import { PageController } from './page-controller.decorator.js';

const EDIT_FORM = {
  dto: UpdateUserDto,
  labels: { role: '角色', regionCode: '所属街道', displayName: '姓名' },
};

/** What a done action says on the account's page (`?done=`). */
const DONE: Record<string, string> = {
  edit: '账号信息已保存，下次操作时生效。',
  disable: '账号已停用：该用户已登录的会话和令牌立即失效。',
  enable: '账号已启用：该用户需重新登录。',
  unlock: '已解除登录锁定，该用户可以立即重新登录。',
};

interface Refusal {
  form: 'edit' | 'active';
  values: Record<string, string>;
  errors: FieldErrors;
  message: string | null;
}

/**
 * One account's page (admins): 修改角色/所属街道, 停用/启用, 重置密码 (the new password shown this
 * once), 解除锁定 — each through the API's UsersService call.
 */
@PageController('users')
@Require(Permission.UsersManage)
export class UserAccountPagesController {
  constructor(
    private readonly users: UsersService,
    private readonly choices: ChoicesService,
  ) {}

  @Get(':id')
  async show(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Query('done') done: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const notice = typeof done === 'string' && Object.hasOwn(DONE, done) ? DONE[done] : null;
    res.render('users/show', await this.page(actor, await this.users.get(id), { notice }));
  }

  /** 修改: role, sub-district, name. */
  @Post(':id')
  @Mirrors('PATCH /api/users/:id')
  async edit(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: unknown,
    @Res() res: Response,
  ): Promise<void> {
    const form = readForm(EDIT_FORM, body);
    const refused = form.dto ? await attempt(() => this.users.update(actor, id, form.dto!)) : null;
    if (form.dto && !refused) {
      res.redirect(303, `/users/${id}?done=edit`);
      return;
    }
    await this.refuse(actor, id, res, refused, {
      form: 'edit',
      values: form.values,
      errors: form.errors,
      message: null,
    });
  }

  /** 停用 / 启用: `active` is `true` or `false`; disabling ends the user's tokens at once. */
  @Post(':id/active')
  @Mirrors('PATCH /api/users/:id')
  async setActive(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const active = body.active === 'true' ? true : body.active === 'false' ? false : null;
    const refused =
      active === null
        ? null
        : await attempt(() => this.users.update(actor, id, Object.assign(new UpdateUserDto(), { active })));
    if (active !== null && !refused) {
      res.redirect(303, `/users/${id}?done=${active ? 'enable' : 'disable'}`);
      return;
    }
    const message = active === null ? '请选择停用或启用' : null;
    await this.refuse(actor, id, res, refused, { form: 'active', values: {}, errors: {}, message });
  }

  /** 重置密码: the new password is in this answer only (not stored in clear, not logged, not cached). */
  @Post(':id/password-reset')
  @Mirrors('POST /api/users/:id/password-reset')
  async resetPassword(
    @CurrentUser() actor: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Res() res: Response,
  ): Promise<void> {
    const { user, password } = await this.users.resetPassword(id);
    res.setHeader('Cache-Control', 'no-store');
    res.render('users/show', await this.page(actor, user, { newPassword: password }));
  }

  /** 解除锁定 after too many failed logins. */
  @Post(':id/unlock')
  @Mirrors('POST /api/users/:id/unlock')
  async unlock(@Param('id', ParseIdPipe) id: number, @Res() res: Response): Promise<void> {
    await this.users.unlock(id);
    res.redirect(303, `/users/${id}?done=unlock`);
  }

  /** The page again with the refused form's fields and the reason (a refusal of the service, or the form's own errors). */
  private async refuse(
    actor: AuthUser,
    id: number,
    res: Response,
    refused: AppError | null,
    refusal: Refusal,
  ): Promise<void> {
    let status = 400;
    if (refused) {
      status = httpStatusOf(refused.code);
      // The service words these refusals in Chinese after the field's name ("role: 不能修改自己的角色").
      const field = refused.code === ErrorCode.Invalid ? refused.field : undefined;
      const detail = field ? refused.message.replace(/^\w+: /, '') : null;
      if (field && detail && refusal.form === 'edit') {
        refusal.errors[field] = detail;
      } else {
        refusal.message = detail ?? refusalMessage(refused);
      }
    }
    res.status(status).render('users/show', await this.page(actor, await this.users.get(id), { refusal }));
  }

  private async page(
    actor: AuthUser,
    user: UserView,
    extra: { notice?: string | null; newPassword?: string; refusal?: Refusal },
  ) {
    const regions = await this.choices.regionChoices(actor, false);
    const refusal = extra.refusal;
    return {
      title: `用户 ${user.username}`,
      user: { ...user, regionName: regions.find((r) => r.value === user.regionCode)?.label ?? null },
      self: user.id === actor.id,
      roles: ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] })),
      regions,
      edit: {
        values:
          refusal?.form === 'edit'
            ? refusal.values
            : { role: user.role, regionCode: user.regionCode ?? '', displayName: user.displayName },
        errors: refusal?.form === 'edit' ? refusal.errors : {},
        message: refusal?.form === 'edit' ? refusal.message : null,
      },
      activeMessage: refusal?.form === 'active' ? refusal.message : null,
      notice: extra.notice ?? null,
      newPassword: extra.newPassword ?? null,
    };
  }
}
