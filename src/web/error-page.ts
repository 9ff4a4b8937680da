import type { Request, Response } from 'express';
import type { AuthedRequest } from '../auth/auth-user.js';
import { SESSION_COOKIE, sessionCookieOptions } from '../auth/session-cookie.js';
import type { ErrorBody } from '../common/http-exception.filter.js';
import { CSRF_REFUSED } from './csrf.guard.js';
import { pageUser, setPageLocals } from './page-context.js';

const TITLES: Record<number, string> = {
  400: '请求有误',
  403: '无权访问',
  404: '页面不存在',
  409: '操作冲突',
  413: '文件过大',
  429: '操作过于频繁',
  503: '服务暂不可用',
};

const EXPLANATIONS: Record<number, string> = {
  400: '请求中的参数不正确，请返回上一页检查后重试。',
  403: '您的账号没有访问此页面或执行此操作的权限。',
  404: '您要找的页面或记录不存在，或不在您的管辖范围内。',
  409: '记录已被他人修改，请刷新页面后重试。',
  413: '上传的文件超过了允许的大小。',
  429: '操作过于频繁，请稍后再试。',
  503: '数据库暂时无法连接，请稍后再试。',
};

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
export function renderErrorPage(req: Request, res: Response, body: ErrorBody): void {
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
  const message =
    body.message === CSRF_REFUSED ? CSRF_REFUSED : (EXPLANATIONS[status] ?? '服务器处理请求时出错，请稍后再试。');
  res
    .status(status)
    .render('error', { title: TITLES[status] ?? '出错了', status, message }, (error: Error | null, html?: string) => {
      if (error) {
        res.type('text/plain; charset=utf-8').send(`${status} ${TITLES[status] ?? 'Error'}`);
        return;
      }
      res.send(html);
    });
}
