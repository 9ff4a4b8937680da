import {
  BadRequestException,
  type CallHandler,
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { Request, RequestHandler, Response } from 'express';
import multer, { MulterError } from 'multer';
import { randomUUID } from 'node:crypto';
import { catchError, from, type Observable, switchMap } from 'rxjs';
import type { AuthedRequest } from '../auth/auth-user.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { AppConfig } from '../config/app-config.js';
import { AttachmentsService, type ReceivedEvidence } from './attachments.service.js';
import { recogniseEvidence } from './evidence-file.js';
import { EvidenceStore, hashFile, removeFile } from './evidence-store.js';

/** The multipart field that carries the evidence file. */
export const EVIDENCE_FIELD = 'file';

type EvidenceRequest = AuthedRequest & { evidence?: ReceivedEvidence };

/** What the 415 says (the pages show it as it is). */
export const NOT_EVIDENCE_MESSAGE = `${EVIDENCE_FIELD}: 只能上传 JPEG 或 PNG 照片、PDF 文件（按文件内容识别，与文件名无关），该文件不是其中之一，未保存`;

/**
 * Receives one evidence file (佐证材料) for the item of the route's `:id`, for a handler that then
 * adds it (AttachmentsService.add), in this order, nothing kept when a step refuses:
 * - the item: the caller must see it (else 404) and may add evidence to it now (department 403,
 *   status 409) — asked before a byte of the file is read;
 * - the multipart field `file`, streamed by multer to the store's receiving folder under a random
 *   name, at most EVIDENCE_MAX_MB (413 beyond);
 * - the bytes: hashed (sha256) and recognised (JPEG, PNG or PDF by content; anything else 415).
 * The handler reads the result with @ReceivedEvidenceFile().
 */
@Injectable()
export class EvidenceUploadInterceptor implements NestInterceptor {
  private readonly upload: RequestHandler;
  private readonly maxMb: number;
  private readonly ids = new ParseIdPipe();

  constructor(
    config: AppConfig,
    store: EvidenceStore,
    private readonly attachments: AttachmentsService,
  ) {
    store.ensureIncoming();
    this.maxMb = config.EVIDENCE_MAX_MB;
    this.upload = multer({
      storage: multer.diskStorage({
        destination: store.incoming,
        filename: (_req, _file, done) => done(null, `${randomUUID()}.part`),
        // fsync before the handler renames it into the store.
        flush: true,
      } as multer.DiskStorageOptions),
      limits: { fileSize: config.EVIDENCE_MAX_MB * 1024 * 1024, files: 1, fields: 10, parts: 11 },
      // Browsers send UTF-8 file names (照片.jpg).
      defParamCharset: 'utf8',
    }).single(EVIDENCE_FIELD);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<EvidenceRequest>();
    const res = http.getResponse<Response>();
    return from(this.receive(req, res)).pipe(
      switchMap(() => next.handle()),
      catchError(async (error: unknown) => {
        if (req.file?.path) {
          await removeFile(req.file.path);
        }
        throw error;
      }),
    );
  }

  private async receive(req: EvidenceRequest, res: Response): Promise<void> {
    const itemId = this.ids.transform(String(req.params.id), { type: 'param', data: 'id' });
    await this.attachments.assertMayAttach(req.user!, itemId);
    if (!req.is('multipart/form-data')) {
      throw new BadRequestException(`${EVIDENCE_FIELD}: 请以 multipart/form-data 上传，文件放在字段 "file" 中`);
    }
    await new Promise<void>((resolve, reject) =>
      this.upload(req, res, (error?: unknown) => (error ? reject(this.translate(error)) : resolve())),
    );
    if (!req.file) {
      throw new BadRequestException(`${EVIDENCE_FIELD}: 请在字段 "file" 中附上一个文件（JPEG、PNG 或 PDF）`);
    }
    const [{ sha256, size }, type] = await Promise.all([hashFile(req.file.path), recogniseEvidence(req.file.path)]);
    if (!type) {
      throw new UnsupportedMediaTypeException(NOT_EVIDENCE_MESSAGE);
    }
    req.evidence = { path: req.file.path, sha256, size, type, originalName: req.file.originalname };
  }

  /** multer's errors in words that name the field and the limit. */
  private translate(error: unknown): Error {
    if (!(error instanceof MulterError)) {
      return error instanceof Error ? error : new Error(String(error));
    }
    if (error.code === 'LIMIT_FILE_SIZE') {
      return new PayloadTooLargeException(
        `${EVIDENCE_FIELD}: 文件超过 ${this.maxMb} MB，佐证材料每个文件最大 ${this.maxMb} MB（EVIDENCE_MAX_MB），未保存`,
      );
    }
    if (error.code === 'LIMIT_UNEXPECTED_FILE' || error.code === 'LIMIT_FILE_COUNT') {
      return new BadRequestException(`${EVIDENCE_FIELD}: 每次上传一个文件，放在字段 "file" 中`);
    }
    return new BadRequestException(`${EVIDENCE_FIELD}: 上传的表单有误（${error.code}）`);
  }
}

/** The file EvidenceUploadInterceptor received (hashed, recognised), for the handler. */
export const ReceivedEvidenceFile = createParamDecorator((_data: unknown, ctx: ExecutionContext): ReceivedEvidence => {
  const evidence = ctx.switchToHttp().getRequest<Request & { evidence?: ReceivedEvidence }>().evidence;
  if (!evidence) {
    throw new Error('ReceivedEvidenceFile used without EvidenceUploadInterceptor');
  }
  return evidence;
});
