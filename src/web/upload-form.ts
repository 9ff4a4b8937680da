import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import { UploadInterceptor } from '../uploads/upload.interceptor.js';
import { CSRF_AFTER_UPLOAD, CSRF_REFUSED } from './csrf.guard.js';
import { CsrfService } from './csrf.service.js';

/** Checks the `_csrf` field that multer has just put into req.body; a refusal removes the upload (UploadInterceptor). */
@Injectable()
export class CsrfAfterUploadInterceptor implements NestInterceptor {
  constructor(private readonly csrf: CsrfService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.csrf.isValid(context.switchToHttp().getRequest<Request>())) {
      throw new ForbiddenException(CSRF_REFUSED);
    }
    return next.handle();
  }
}

/**
 * An upload form's POST (导入, 数据比对): the API's UploadInterceptor streams the file in the field
 * `file` to UPLOAD_DIR, then the form's CSRF token, a field of the same multipart body, is
 * checked. The global CsrfGuard cannot: it runs before the body is parsed, so it leaves multipart
 * requests of these routes to the interceptor. Guards still run first, so only a signed-in user
 * with the permission gets as far as uploading; a refused upload is deleted at once.
 */
export const UploadForm = (): MethodDecorator =>
  applyDecorators(SetMetadata(CSRF_AFTER_UPLOAD, true), UseInterceptors(UploadInterceptor, CsrfAfterUploadInterceptor));
