import { Body, Get, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type AuthedRequest, Public } from '../auth/auth-user.js';
import { AuthService } from '../auth/auth.service.js';
import { LoginDto } from '../auth/dto/login.dto.js';
import { SESSION_COOKIE, sessionCookieOptions } from '../auth/session-cookie.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { readForm } from './forms.js';
import { PageController } from './page-controller.decorator.js';
import { safeNext } from './page-query.js';
import { Mirrors } from './mirrors.decorator.js';

const LOGIN_FORM = { dto: LoginDto, labels: { username: '用户名', password: '密码' } };

/**
 * Signing in and out of the pages. The session is an httpOnly cookie holding the JWT that
 * AuthService.login issues (the API's token, with the API's login throttling); signing out
 * clears it and ends the user's tokens (every session of the account, as POST /api/auth/logout).
 */
@PageController()
export class WebAuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Get('login')
  loginForm(@Req() req: AuthedRequest, @Res() res: Response, @Query('next') next: unknown): void {
    if (req.user) {
      res.redirect(303, safeNext(next));
      return;
    }
    res.render('auth/login', { title: '登录', next: safeNext(next) });
  }

  @Public()
  @Post('login')
  @Mirrors('POST /api/auth/login')
  async login(@Req() req: Request, @Res() res: Response, @Body() body: Record<string, unknown>): Promise<void> {
    const next = safeNext(body.next);
    const form = readForm(LOGIN_FORM, body);
    const again = (status: number, message: string | null) =>
      res.status(status).render('auth/login', {
        title: '登录',
        next,
        message,
        values: { username: form.values.username },
        errors: form.errors,
      });
    if (!form.dto) {
      again(400, null);
      return;
    }
    try {
      const { accessToken } = await this.auth.login(form.dto.username, form.dto.password, req.ip ?? 'unknown');
      res.cookie(SESSION_COOKIE, accessToken, sessionCookieOptions(req));
      res.redirect(303, next);
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.Unauthenticated) {
        again(401, '用户名或密码错误。');
      } else if (error instanceof AppError && error.code === ErrorCode.RateLimited) {
        res.setHeader('Retry-After', String(error.retryAfter ?? 60));
        again(429, error.message);
      } else {
        throw error;
      }
    }
  }

  /** 退出 from a page that has no form of its own (the 403 page): a button that posts the sign-out with its token. */
  @Public()
  @Get('logout')
  logoutForm(@Req() req: AuthedRequest, @Res() res: Response): void {
    if (!req.user) {
      res.redirect(303, '/');
      return;
    }
    res.render('auth/logout', { title: '退出' });
  }

  /** Public, so that an expired session can still sign out; the CSRF token is still required. */
  @Public()
  @Post('logout')
  @Mirrors('POST /api/auth/logout')
  async logout(@Req() req: Request, @Res() res: Response): Promise<void> {
    const token = (req.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
    if (token) {
      await this.auth.revokeToken(token);
    }
    res.clearCookie(SESSION_COOKIE, sessionCookieOptions(req));
    res.redirect(303, '/');
  }
}
