import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { AuthedRequest } from '../auth/auth-user.js';
import { isApiPath } from '../common/api-path.js';
import { SESSION_COOKIE, sessionCookieOptions } from '../auth/session-cookie.js';
import type { ErrorBody, PageErrorRenderer } from '../common/http-exception.filter.js';
import { CSRF_REFUSED } from './csrf.guard.js';
import { pageExplanation, pageTitle } from './error-messages.js';
import { pageUser, setPageLocals } from './page-context.js';

/** Where a visitor goes to sign in: the home page, which comes back to `next` afterwards. */
export function loginRedirect(req: Request): string {
  return req.method === 'GET' && req.originalUrl !== '/' ? `/?next=${encodeURIComponent(req.originalUrl)}` : '/';
}

/**
 * An error on a page route, for people rather than programs: 401 goes to the login form (dropping
 * a session cookie that is no longer valid), everything else is the Chinese error page with the
 * status code. Messages of the server's own checks are not shown (they are English and technical),
 * except the CSRF refusal, which tells the user what to do.
 */
function renderErrorPage(req: Request, res: Response, body: ErrorBody): void {
  if (body.statusCode === 401) {
    if ((req.cookies as Record<string, string> | undefined)?.[SESSION_COOKIE]) {
      res.clearCookie(SESSION_COOKIE, sessionCookieOptions(req));
    }
    res.redirect(303, loginRedirect(req));
    return;
  }
  const user = (req as AuthedRequest).user;
  if (res.locals.me === undefined) {
    // The page's interceptor did not run (a guard refused first): the header without the name or forms.
    setPageLocals(req, res, user ? pageUser(user) : null, null);
  }
  const status = body.statusCode;
  const title = pageTitle(status);
  const message = body.message === CSRF_REFUSED ? CSRF_REFUSED : pageExplanation(status);
  res.status(status).render('error', { title, status, message }, (error: Error | null, html?: string) => {
    if (error) {
      res.type('text/plain; charset=utf-8').send(`${status} ${title}`);
      return;
    }
    res.send(html);
  });
}

/** The pages' answer to an error (provided to the exception filter as PAGE_ERROR_RENDERER); the API keeps its JSON. */
@Injectable()
export class ErrorPageRenderer implements PageErrorRenderer {
  render(req: Request, res: Response, body: ErrorBody): boolean {
    if (isApiPath(req.path)) {
      return false;
    }
    renderErrorPage(req, res, body);
    return true;
  }
}
