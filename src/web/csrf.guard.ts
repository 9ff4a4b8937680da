import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { isApiPath } from '../common/api-path.js';
import { CsrfService } from './csrf.service.js';

/** Marks a page route whose multipart form has its CSRF token checked once the upload is parsed (upload-form.ts). */
export const CSRF_AFTER_UPLOAD = 'hpa:csrf-after-upload';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const CSRF_REFUSED = '表单缺少有效的安全校验码（CSRF），可能已过期。请返回刷新页面后重新提交。';

/**
 * Global guard: every unsafe request to a page route (outside /api) must carry the form's CSRF
 * token (the `_csrf` field, or the X-CSRF-Token header), else 403. The API is exempt: it acts on
 * bearer tokens only, never on the session cookie alone (see sessionTokenOf).
 *
 * A multipart upload's body is not parsed yet when guards run: on the routes marked @UploadForm()
 * the token is checked right after the upload is parsed (upload-form.ts); a multipart POST to any
 * other page route has no readable token and is refused here.
 */
@Injectable()
export class CsrfGuard implements CanActivate {
  constructor(
    private readonly csrf: CsrfService,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (isApiPath(req.path) || SAFE_METHODS.has(req.method)) {
      return true;
    }
    if (req.is('multipart/form-data') && this.reflector.get<boolean>(CSRF_AFTER_UPLOAD, context.getHandler())) {
      return true;
    }
    if (!this.csrf.isValid(req)) {
      throw new ForbiddenException(CSRF_REFUSED);
    }
    return true;
  }
}
