import {
  applyDecorators,
  type CallHandler,
  type ExecutionContext,
  ForbiddenException,
  HttpException,
  Injectable,
  type NestInterceptor,
  SetMetadata,
  UseInterceptors,
} from '@nestjs/common';
import { from, lastValueFrom, type Observable, of, switchMap } from 'rxjs';
import type { AuthedRequest } from '../auth/auth-user.js';
import { AppError, ErrorCode, httpStatusOf } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import type { ReceivedEvidence } from '../ledger/attachments.service.js';
import { removeFile } from '../ledger/evidence-store.js';
import { EvidenceUploadInterceptor } from '../ledger/evidence-upload.interceptor.js';
import { CSRF_AFTER_UPLOAD, CSRF_REFUSED } from './csrf.guard.js';
import { CsrfService } from './csrf.service.js';
import { evidenceRefusal } from './error-messages.js';
import { refusalMessage } from './forms.js';

/** Why the item page's upload was refused, in the page's words, for the handler to show beside the form. */
export interface EvidenceFormRefusal {
  status: number;
  message: string;
}

/** The request as the handler reads it: the received file, or why there is none. */
export type EvidenceFormRequest = AuthedRequest & {
  evidence?: ReceivedEvidence;
  evidenceRefusal?: EvidenceFormRefusal;
};

/**
 * The item page's 佐证材料 form (multipart): the API's EvidenceUploadInterceptor receives the file —
 * the item checked before a byte is read (another sub-district 404), then streamed, hashed and
 * recognised by its bytes — and then the form's CSRF token, a field of the same body, is checked
 * before anything is stored (a bad token: 403, the received file removed). A refused upload (no file
 * 400, too large 413, not a JPEG/PNG/PDF 415, the item's status 409, the department 403) is not an
 * error page: the handler re-renders the item page with the message (`req.evidenceRefusal`). A
 * refusal stores and writes nothing, so it needs no token.
 */
@Injectable()
export class EvidenceFormInterceptor implements NestInterceptor {
  constructor(
    private readonly upload: EvidenceUploadInterceptor,
    private readonly csrf: CsrfService,
    private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return from(this.receive(context)).pipe(switchMap(() => next.handle()));
  }

  private async receive(context: ExecutionContext): Promise<void> {
    const req = context.switchToHttp().getRequest<EvidenceFormRequest>();
    try {
      // The API's interceptor around nothing: it receives the file (or removes it when it refuses).
      await lastValueFrom(this.upload.intercept(context, { handle: () => of(null) }));
    } catch (error) {
      const refusal = this.refusalOf(error);
      if (!refusal) {
        throw error;
      }
      req.evidenceRefusal = refusal;
      return;
    }
    if (!this.csrf.isValid(req)) {
      if (req.evidence) {
        await removeFile(req.evidence.path);
      }
      throw new ForbiddenException(CSRF_REFUSED);
    }
  }

  /** The page's words for a refused upload; null for what stays an error page (not found, a failure). */
  private refusalOf(error: unknown): EvidenceFormRefusal | null {
    if (error instanceof AppError) {
      return error.code === ErrorCode.NotFound
        ? null
        : { status: httpStatusOf(error.code), message: refusalMessage(error) };
    }
    if (error instanceof HttpException) {
      const message = evidenceRefusal(error.getStatus(), this.config.EVIDENCE_MAX_MB);
      return message === null ? null : { status: error.getStatus(), message };
    }
    return null;
  }
}

/** Marks the item page's evidence upload route (see EvidenceFormInterceptor). */
export const EvidenceForm = (): MethodDecorator =>
  applyDecorators(SetMetadata(CSRF_AFTER_UPLOAD, true), UseInterceptors(EvidenceFormInterceptor));
