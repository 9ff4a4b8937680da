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
import { QUEUES } from './queues.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * The Bull dashboard (@bull-board) at /admin/queues, for admins only, and only with Redis (without
 * it there are no queues and the path is a 404). Mounted as Express middleware before Nest's routes,
 * behind a check of the bearer token or the session cookie.
 */
export function mountQueueDashboard(app: NestExpressApplication): void {
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
    adminsOnly(app.get(AuthService, { strict: false })),
    board.getRouter() as RequestHandler,
  );
}

function adminsOnly(auth: AuthService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = bearerToken(req) ?? cookie(req, SESSION_COOKIE);
    const refuse = (statusCode: 401 | 403, message: string) =>
      res.status(statusCode).json({ statusCode, error: statusCode === 401 ? 'Unauthorized' : 'Forbidden', message });
    if (!token) {
      refuse(401, '请以系统管理员身份登录后查看任务队列。');
      return;
    }
    auth.verifyToken(token).then(
      (user) => {
        if (!user) {
          refuse(401, '登录已失效，请重新登录。');
        } else if (user.role !== 'admin') {
          refuse(403, '只有系统管理员可以查看任务队列。');
        } else {
          next();
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
