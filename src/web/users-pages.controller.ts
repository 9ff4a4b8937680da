import { Body, Get, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { CreateUserDto } from '../auth/dto/create-user.dto.js';
import { Permission, ROLES } from '../auth/roles.js';
import { UsersService } from '../auth/users.service.js';
import { ErrorCode, httpStatusOf } from '../common/app-error.js';
import { PageQuery } from '../common/pagination.js';
import { ChoicesService } from './choices.service.js';
import { attempt, type FieldErrors, readForm, refusalMessage } from './forms.js';
import { ROLE_LABELS } from './labels.js';
import { PageController } from './page-controller.decorator.js';
import { pagerOf, readQuery } from './page-query.js';
import { Mirrors } from './mirrors.decorator.js';

const USER_FORM = {
  dto: CreateUserDto,
  labels: { username: '用户名', password: '初始密码', role: '角色', regionCode: '所属街道', displayName: '姓名' },
  messages: {
    username: '用户名为 3–32 位字母、数字或 _ . -',
    password: '密码为 10–72 位，同时包含字母和数字，不能是常见密码，除用户名外至少还有 6 个字符',
    regionCode: '街道办事处人员须选择所属街道',
  },
};

/** 用户 (admins): the accounts and a form to add one, on the API's UsersService. */
@PageController('users')
@Require(Permission.UsersManage)
export class UsersPagesController {
  constructor(
    private readonly users: UsersService,
    private readonly choices: ChoicesService,
  ) {}

  @Get()
  async list(
    @CurrentUser() user: AuthUser,
    @Query() raw: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    res.render('users/list', await this.page(user, readQuery(PageQuery, raw), raw.created === '1', null));
  }

  @Post()
  @Mirrors('POST /api/users')
  async create(@CurrentUser() user: AuthUser, @Body() body: unknown, @Res() res: Response): Promise<void> {
    const form = readForm(USER_FORM, body);
    const errors: FieldErrors = { ...form.errors };
    let message: string | null = null;
    let status = 400;
    if (form.dto) {
      const refused = await attempt(() => this.users.create(form.dto!));
      if (!refused) {
        res.redirect(303, '/users?created=1');
        return;
      }
      status = httpStatusOf(refused.code);
      if (refused.code === ErrorCode.Duplicate && refused.field === 'username') {
        errors.username = '该用户名已被使用';
      } else if (refused.field === 'regionCode') {
        errors.regionCode = '只有街道办事处人员填写所属街道，且须是已登记的街道';
      } else {
        message = refusalMessage(refused);
      }
    }
    const { password: _password, ...kept } = form.values;
    res
      .status(status)
      .render('users/list', await this.page(user, new PageQuery(), false, { values: kept, errors, message }));
  }

  private async page(
    user: AuthUser,
    query: PageQuery,
    created: boolean,
    form: { values: Record<string, string>; errors: FieldErrors; message: string | null } | null,
  ) {
    const [page, regions] = await Promise.all([this.users.list(query), this.choices.regionChoices(user, false)]);
    return {
      title: '用户',
      users: page.items.map((u) => ({
        ...u,
        regionName: regions.find((r) => r.value === u.regionCode)?.label ?? u.regionCode,
      })),
      pager: pagerOf('/users', new URLSearchParams(), page.page, page.pageSize, page.total),
      created,
      roles: ROLES.map((role) => ({ value: role, label: ROLE_LABELS[role] })),
      regions,
      form: form ?? { values: { role: '' }, errors: {}, message: null },
    };
  }
}
