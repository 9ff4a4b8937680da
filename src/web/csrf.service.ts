import { Injectable } from '@nestjs/common';
import { doubleCsrf } from 'csrf-csrf';
import type { Request, Response } from 'express';
import { createHmac, randomBytes } from 'node:crypto';
import { SESSION_COOKIE } from '../auth/session-cookie.js';
import { AppConfig } from '../config/app-config.js';

/** The double-submit cookie (its value is also the form's token) and the visitor cookie of a signed-out browser. */
export const CSRF_COOKIE = 'hpa_csrf';
export const VISITOR_COOKIE = 'hpa_visitor';
/** The hidden field every page form carries. */
export const CSRF_FIELD = '_csrf';

type Cookies = Record<string, string | undefined>;
const cookiesOf = (req: Request): Cookies => (req.cookies ?? {}) as Cookies;

/**
 * CSRF protection of the page forms: csrf-csrf's double-submit pattern. The token is an HMAC of
 * the browser's session identifier (the session cookie, or before login a random visitor cookie)
 * and a random value, under a key derived from JWT_SECRET; it is set as an httpOnly cookie and
 * written into every form. A POST is accepted when the form's `_csrf` equals the cookie and the
 * HMAC matches the current session, so a token from before login (or another user) is refused.
 */
@Injectable()
export class CsrfService {
  private readonly csrf: ReturnType<typeof doubleCsrf>;

  constructor(config: AppConfig) {
    const secret = createHmac('sha256', config.JWT_SECRET).update('hpa-csrf').digest('hex');
    this.csrf = doubleCsrf({
      getSecret: () => secret,
      getSessionIdentifier: (req) => cookiesOf(req)[SESSION_COOKIE] ?? cookiesOf(req)[VISITOR_COOKIE] ?? '',
      cookieName: CSRF_COOKIE,
      cookieOptions: { httpOnly: true, sameSite: 'strict', path: '/', secure: false },
      getCsrfTokenFromRequest: (req) => {
        const body = req.body as Record<string, unknown> | undefined;
        const field = body?.[CSRF_FIELD];
        // The queue dashboard's script (axios) returns its token as X-XSRF-TOKEN.
        const header = req.headers['x-csrf-token'] ?? req.headers['x-xsrf-token'];
        return typeof field === 'string' ? field : typeof header === 'string' ? header : undefined;
      },
    });
  }

  /** The token for this browser's forms (reused while it fits the session); sets the cookies it needs. */
  token(req: Request, res: Response): string {
    const cookies = cookiesOf(req);
    if (!cookies[SESSION_COOKIE] && !cookies[VISITOR_COOKIE]) {
      const visitor = randomBytes(16).toString('hex');
      res.cookie(VISITOR_COOKIE, visitor, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
      req.cookies = { ...cookies, [VISITOR_COOKIE]: visitor };
    }
    return this.csrf.generateCsrfToken(req, res, {
      cookieOptions: { httpOnly: true, sameSite: 'strict', path: '/', secure: req.secure },
    });
  }

  /** Whether an unsafe request carries a token that fits its cookies and session. */
  isValid(req: Request): boolean {
    const cookies = cookiesOf(req);
    if (!cookies[SESSION_COOKIE] && !cookies[VISITOR_COOKIE]) {
      return false;
    }
    return this.csrf.validateRequest(req);
  }
}
