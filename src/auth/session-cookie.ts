import type { CookieOptions, Request } from 'express';
import { isApiPath } from '../common/api-path.js';

/** The page session: an httpOnly cookie holding the same JWT that POST /api/auth/login answers. */
export const SESSION_COOKIE = 'hpa_session';

/**
 * Options of the session cookie: httpOnly (no script reads it), SameSite=Lax (not sent with
 * cross-site POSTs), Secure when the request came over HTTPS (req.secure honours "trust proxy").
 * No Max-Age: it ends with the browser session, and the JWT inside expires after JWT_TTL anyway.
 */
export function sessionCookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' };
}

/**
 * The session token of a request, if the cookie may authenticate it: on pages always, on the API
 * only for reads (GET/HEAD: the 台账 export links). API writes need the bearer header, so the API
 * never acts on a cookie alone and needs no CSRF token.
 */
export function sessionTokenOf(req: Request): string | null {
  const cookies = req.cookies as Record<string, string | undefined> | undefined;
  const token = cookies?.[SESSION_COOKIE];
  if (!token) {
    return null;
  }
  const safe = req.method === 'GET' || req.method === 'HEAD';
  return !isApiPath(req.path) || safe ? token : null;
}
