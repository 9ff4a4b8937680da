import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { isApiPath } from '../auth/session-cookie.js';
import { CsrfService } from './csrf.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const CSRF_REFUSED = '表单缺少有效的安全校验码（CSRF），可能已过期。请返回刷新页面后重新提交。';

/**
 * Global guard: every unsafe request to a page route (outside /api) must carry the form's CSRF
 * token (the `_csrf` field, or the X-CSRF-Token header), else 403. The API is exempt: it acts on
 * bearer tokens only, never on the session cookie alone (see sessionTokenOf).
 *
 * Multipart uploads are parsed by multer before the guard runs (configureApp mounts it on the
 * upload page routes), so their `_csrf` field is in req.body here like any form's.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(private readonly csrf: CsrfService) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (isApiPath(req.path) || SAFE_METHODS.has(req.method)) {
      return true;
    }
    if (!this.csrf.isValid(req)) {
      throw new ForbiddenException(CSRF_REFUSED);
    }
    return true;
  }
}
