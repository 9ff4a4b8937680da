import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Response } from 'express';
import type { Observable } from 'rxjs';
import type { AuthedRequest } from '../auth/auth-user.js';
import { AuthService } from '../auth/auth.service.js';
import { SESSION_COOKIE, sessionCookieOptions } from '../auth/session-cookie.js';
import { ListNotificationsQuery } from '../notifications/dto/list-notifications.query.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { CsrfService } from './csrf.service.js';
import { pageUser, setPageLocals } from './page-context.js';

/**
 * Runs before every page handler: finds the signed-in user also on public pages (the home page
 * shows the login form or the dashboard), drops a session cookie that no longer holds a valid
 * token, and puts the header, navigation (with the unread notices) and the forms' CSRF token into
 * res.locals.
 */
@Injectable()
export class PageContextInterceptor implements NestInterceptor {
  constructor(
    private readonly auth: AuthService,
    private readonly csrf: CsrfService,
    private readonly notifications: NotificationsService,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<AuthedRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const cookies = (req.cookies ?? {}) as Record<string, string | undefined>;
    if (!req.user && cookies[SESSION_COOKIE]) {
      const user = await this.auth.verifyToken(cookies[SESSION_COOKIE]);
      if (user) {
        req.user = user;
      } else {
        res.clearCookie(SESSION_COOKIE, sessionCookieOptions(req));
        delete cookies[SESSION_COOKIE];
      }
    }
    const user = req.user;
    const inbox = user
      ? await this.notifications.list(user, Object.assign(new ListNotificationsQuery(), { page: 1, pageSize: 1 }))
      : null;
    const me = user ? pageUser(user) : null;
    // Pages hold personal records: not kept by the browser's or a proxy's cache (an office PC is shared).
    res.setHeader('Cache-Control', 'no-store');
    setPageLocals(req, res, me, this.csrf.token(req, res), inbox?.unread ?? 0);
    return next.handle();
  }
}
