import { createBullBoard } from '@bull-board/api';
import { BullAdapter } from '@bull-board/api/bullAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { getQueueToken } from '@nestjs/bull';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Queue } from 'bull';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AuthService } from '../auth/auth.service.js';
import { SESSION_COOKIE } from '../auth/session-cookie.js';
import { AppConfig } from '../config/app-config.js';
import { QUEUES } from '../queue/queues.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
/** The cookie the dashboard's script (axios) reads and returns as the X-XSRF-TOKEN header on its writes. */
export const DASHBOARD_XSRF_COOKIE = 'XSRF-TOKEN';

/** The pages' CSRF tokens (web/csrf.service.ts), handed in by the app's set-up. */
export interface CsrfTokens {
  token(req: Request, res: Response): string;
  isValid(req: Request): boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The Bull dashboard (@bull-board) at /admin/queues, for admins only, and only with Redis (without
 * it there are no queues and the path is a 404). Mounted as Express middleware before Nest's routes,
 * behind a check of the bearer token or the session cookie. On the cookie alone its writes (pause,
 * retry, clean, …) also need the CSRF token: the dashboard's own script sends it back from the
 * XSRF-TOKEN cookie (readable by script on this site only), a forged cross-site request cannot.
 */
export function mountQueueDashboard(app: NestExpressApplication, csrf: CsrfTokens): void {
  if (!app.get(AppConfig).REDIS_URL) {
    return;
  }
  const board = new ExpressAdapter().setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: Object.values(QUEUES).map(
      (name) => new BullAdapter(app.get<Queue>(getQueueToken(name), { strict: false })),
    ),
    serverAdapter: board,
  });
  app.use(
    QUEUE_DASHBOARD_PATH,
    adminsOnly(app.get(AuthService, { strict: false }), csrf),
    board.getRouter() as RequestHandler,
  );
}

function adminsOnly(auth: AuthService, csrf: CsrfTokens): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const bearer = bearerToken(req);
    const token = bearer ?? cookie(req, SESSION_COOKIE);
    const refuse = (statusCode: 401 | 403, message: string) =>
      res.status(statusCode).json({ statusCode, error: statusCode === 401 ? 'Unauthorized' : 'Forbidden', message });
    if (!token) {
      refuse(401, '请以系统管理员身份登录后查看任务队列。');
      return;
    }
    auth.verifyToken(token).then(
      (user) => {
        if (!user) {
          refuse(401, '登录令牌无效、已过期或已注销，请重新登录。');
        } else if (user.role !== 'admin') {
          refuse(403, '只有系统管理员可以查看任务队列。');
        } else if (bearer || SAFE_METHODS.has(req.method)) {
          if (!bearer) {
            const options = { sameSite: 'strict' as const, secure: req.secure, path: QUEUE_DASHBOARD_PATH };
            res.cookie(DASHBOARD_XSRF_COOKIE, csrf.token(req, res), options);
          }
          next();
        } else if (csrf.isValid(req)) {
          next();
        } else {
          refuse(403, '缺少有效的安全校验码（CSRF），请刷新队列页面后重试');
        }
      },
      (error: unknown) => next(error),
    );
  };
}

function bearerToken(req: Request): string | undefined {
  const [scheme, token] = (req.headers.authorization ?? '').split(' ');
  return scheme === 'Bearer' && token ? token : undefined;
}

/** One cookie's value from the Cookie header (cookie-parser may not run before this middleware). */
function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim()) || undefined;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
