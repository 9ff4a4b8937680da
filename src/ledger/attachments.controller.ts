import { Controller, Get, Param, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { AttachmentsService, type AttachmentView, type ReceivedEvidence } from './attachments.service.js';
import { contentDisposition } from './evidence-file.js';
import { EvidenceUploadInterceptor, ReceivedEvidenceFile } from './evidence-upload.interceptor.js';

/**
 * Headers of every evidence answer: the recognised type and nothing else (nosniff), kept by the
 * browser only (private: no shared cache holds a resident's photo) and revalidated (the ETag is the
 * content's hash, so a revalidation is a 304 without the bytes).
 */
function setEvidenceHeaders(res: Response, type: string, etag: string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-cache');
  res.setHeader('ETag', etag);
  if (type.startsWith('image/')) {
    // Opened on its own, an image is a document that may run nothing.
    res.setHeader('Content-Security-Policy', "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
  }
}

/** Whether the browser's copy (If-None-Match) is this one. */
const fresh = (req: Request, etag: string): boolean =>
  (req.headers['if-none-match'] ?? '')
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .includes(etag);

@ApiTags('ledger')
@ApiBearerAuth()
@Controller('api')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  /**
   * 佐证材料: one JPEG, PNG or PDF (recognised by its bytes) in the multipart field `file`, at most
   * EVIDENCE_MAX_MB; 201 with {id, sha256, name, type, size, …} and one `attachment_added` entry.
   */
  @Post('items/:id/attachments')
  @Require(Permission.ItemsAct)
  @UseInterceptors(EvidenceUploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  add(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @ReceivedEvidenceFile() file: ReceivedEvidence,
  ): Promise<AttachmentView> {
    return this.attachments.add(user, id, file);
  }

  @Get('items/:id/attachments')
  @Require(Permission.ItemsRead)
  list(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number): Promise<AttachmentView[]> {
    return this.attachments.list(user, id);
  }

  /** The original, inline (images and PDFs show in the browser), to whoever may read the item. */
  @Get('attachments/:id')
  @Require(Permission.ItemsRead)
  async original(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { attachment, stream, size } = await this.attachments.open(user, id);
    const etag = `"${attachment.sha256}"`;
    setEvidenceHeaders(res, attachment.type, etag);
    res.setHeader('Content-Disposition', contentDisposition('inline', attachment.name));
    if (fresh(req, etag)) {
      stream.destroy();
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Length', String(size));
    await pipeline(stream, res);
  }

  /** A small JPEG of an image with no metadata (no EXIF, no GPS position); a PDF has none (404). */
  @Get('attachments/:id/thumbnail')
  @Require(Permission.ItemsRead)
  async thumbnail(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { attachment, jpeg } = await this.attachments.thumbnail(user, id);
    const etag = `"${attachment.sha256}-thumbnail"`;
    setEvidenceHeaders(res, 'image/jpeg', etag);
    if (fresh(req, etag)) {
      res.status(304).end();
      return;
    }
    res.setHeader('Content-Length', String(jpeg.length));
    res.end(jpeg);
  }
}
