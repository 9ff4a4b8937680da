import { Body, Controller, Get, HttpCode, Ip, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { PageQuery } from '../common/pagination.js';
import { type AuthUser, CurrentUser, Public, Require } from './auth-user.js';
import { AuthService } from './auth.service.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { LoginDto } from './dto/login.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { Permission } from './roles.js';
import { UsersService } from './users.service.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() dto: LoginDto, @Ip() ip: string) {
    return this.auth.login(dto.username, dto.password, ip);
  }

  /** Signs the caller out everywhere: every token issued to them so far stops working. */
  @ApiBearerAuth()
  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentUser() user: AuthUser): Promise<void> {
    await this.auth.revokeTokens(user.id);
  }

  @ApiBearerAuth()
  @Get('me')
  me(@CurrentUser() user: AuthUser) {
    return user;
  }
}

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
@Require(Permission.UsersManage)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  create(@Body() dto: CreateUserDto) {
    return this.users.create(dto);
  }

  @Get()
  list(@Query() query: PageQuery) {
    return this.users.list(query);
  }

  /** Disables or enables an account (either ends the tokens it holds), changes its role, sub-district or name. */
  @Patch(':id')
  update(@CurrentUser() actor: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: UpdateUserDto) {
    return this.users.update(actor, id, dto);
  }

  /** 重置密码: answers `{user, password}`, the new random password shown this once; the user's tokens end. */
  @Post(':id/password-reset')
  @HttpCode(200)
  resetPassword(@Param('id', ParseIdPipe) id: number) {
    return this.users.resetPassword(id);
  }

  /** 解除锁定: lifts the login lock-out that failed logins put on the account. */
  @Post(':id/unlock')
  @HttpCode(200)
  unlock(@Param('id', ParseIdPipe) id: number) {
    return this.users.unlock(id);
  }
}
