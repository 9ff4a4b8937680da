import {
  BadRequestException,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  PayloadTooLargeException,
} from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { catchError, from, type Observable, switchMap } from 'rxjs';
import { AppConfig } from '../config/app-config.js';

/** The multipart field that carries the roster. */
export const UPLOAD_FIELD = 'file';

/** Removes an upload nobody will read (ignores a file that is already gone). */
export async function removeUpload(path: string): Promise<void> {
  await unlink(path).catch(() => undefined);
}

/**
 * Receives one roster in the multipart field `file`, streamed to UPLOAD_DIR (a volume the API and
 * the workers share) under a random name, at most UPLOAD_MAX_MB: 413 beyond that, 400 naming
 * `file` when it is missing. Runs after the auth guard, so a caller without the permission never
 * uploads anything. When the handler fails (a bad header, a bad `year`), the file is removed.
 */
@Injectable()
export class UploadInterceptor implements NestInterceptor {
  private readonly upload: RequestHandler;
  private readonly maxMb: number;

  constructor(config: AppConfig) {
    mkdirSync(config.UPLOAD_DIR, { recursive: true });
    this.maxMb = config.UPLOAD_MAX_MB;
    this.upload = multer({
      storage: multer.diskStorage({
        destination: config.UPLOAD_DIR,
        filename: (_req, _file, done) => done(null, `${randomUUID()}.upload`),
      }),
      limits: { fileSize: config.UPLOAD_MAX_MB * 1024 * 1024, files: 1, fields: 20 },
      // Browsers send UTF-8 file names (花名册.xlsx).
      defParamCharset: 'utf8',
    }).single(UPLOAD_FIELD);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    return from(this.receive(req, res)).pipe(
      switchMap(() => next.handle()),
      catchError(async (error: unknown) => {
        if (req.file?.path) {
          await removeUpload(req.file.path);
        }
        throw error;
      }),
    );
  }

  private async receive(req: Request, res: Response): Promise<void> {
    if (!req.is('multipart/form-data')) {
      throw new BadRequestException(`${UPLOAD_FIELD}: send the roster as multipart/form-data in the field "file"`);
    }
    await new Promise<void>((resolve, reject) =>
      this.upload(req, res, (error?: unknown) => (error ? reject(this.translate(error)) : resolve())),
    );
    if (!req.file) {
      throw new BadRequestException(`${UPLOAD_FIELD}: a CSV or XLSX file is required in the multipart field "file"`);
    }
  }

  /** multer's errors in words that name the field and the limit. */
  private translate(error: unknown): Error {
    if (!(error instanceof MulterError)) {
      return error instanceof Error ? error : new Error(String(error));
    }
    if (error.code === 'LIMIT_FILE_SIZE') {
      return new PayloadTooLargeException(
        `${UPLOAD_FIELD}: the file is larger than ${this.maxMb} MB, the most this service accepts (UPLOAD_MAX_MB)`,
      );
    }
    if (error.code === 'LIMIT_UNEXPECTED_FILE' || error.code === 'LIMIT_FILE_COUNT') {
      return new BadRequestException(`${UPLOAD_FIELD}: send exactly one file, in the multipart field "file"`);
    }
    return new BadRequestException(`${UPLOAD_FIELD}: ${error.message}`);
  }
}
