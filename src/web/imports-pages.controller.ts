import { Get, Param, Post, Query, Res, UploadedFile } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { PageQuery } from '../common/pagination.js';
import { ImportsService, omittedNote } from '../imports/imports.service.js';
import { removeUpload } from '../uploads/upload.interceptor.js';
import { attempt, refusalMessage } from './forms.js';
import { PageController } from './page-controller.decorator.js';
import { pagerOf, readQuery } from './page-query.js';
import { UploadForm } from './upload-form.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { Mirrors } from './mirrors.decorator.js';

/** While a job is queued or running its page reloads itself (a meta refresh: no script, CSP-friendly). */
export const REFRESH_SECONDS = 2;

export const JOB_STATUS_LABELS: Record<string, string> = {
  queued: '排队中',
  running: '处理中',
  done: '已完成',
  failed: '失败',
  cancelled: '已取消',
};

/** A job a user may still cancel: not done, not cancelled already. */
export const isCancellable = (status: string): boolean => ['queued', 'running', 'failed'].includes(status);

/** What to say when the file itself is refused (its format, encoding or header): the service's own words. */
export function uploadRefusal(error: AppError): string {
  return error.field === 'file' ? `文件未能接收：${error.message}` : refusalMessage(error);
}

/** 导入: upload a household roster, follow the import while it runs, read the rejected rows. */
@PageController('imports')
@Require(Permission.ImportsRun)
export class ImportsPagesController {
  constructor(private readonly imports: ImportsService) {}

  @Get()
  async list(@Query() raw: Record<string, unknown>, @Res() res: Response): Promise<void> {
    res.render('imports/list', await this.listPage(readQuery(PageQuery, raw), null));
  }

  @Post()
  @Mirrors('POST /api/imports/households')
  @UploadForm()
  async upload(
    @CurrentUser() user: AuthUser,
    @UploadedFile() file: Express.Multer.File,
    @Res() res: Response,
  ): Promise<void> {
    let id = 0;
    const refused = await attempt(async () => {
      id = (await this.imports.create(user, file)).id;
    });
    if (!refused) {
      res.redirect(303, `/imports/${id}`);
      return;
    }
    // Refused: the file will never be read (the upload interceptor only removes it when the handler throws).
    await removeUpload(file.path);
    res.status(400).render('imports/list', await this.listPage(new PageQuery(), uploadRefusal(refused)));
  }

  @Get(':id')
  async show(
    @Param('id', ParseIdPipe) id: number,
    @Query() raw: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const query = readQuery(PageQuery, raw);
    const job = await this.imports.get(id, query);
    const running = job.status === 'queued' || job.status === 'running';
    res.render('imports/show', {
      title: `导入 #${job.id}`,
      job,
      statusLabel: JOB_STATUS_LABELS[job.status] ?? job.status,
      running,
      refreshSeconds: running ? REFRESH_SECONDS : null,
      progressPercent: Math.round(job.progress * 1000) / 10,
      resumable: job.status === 'failed',
      cancellable: isCancellable(job.status),
      omittedNote: job.errorsOmitted > 0 ? omittedNote(job.errorsOmitted) : null,
      errors: job.errors.items,
      pager: pagerOf(`/imports/${id}`, new URLSearchParams(), job.errors.page, job.errors.pageSize, job.errors.total),
    });
  }

  /** 取消导入: the job stops at its next batch and is never resumed; a job that has finished meanwhile is left as it is. */
  @Post(':id/cancel')
  @Mirrors('POST /api/imports/:id/cancel')
  async cancel(@Param('id', ParseIdPipe) id: number, @Res() res: Response): Promise<void> {
    const refused = await attempt(() => this.imports.cancel(id));
    if (refused && refused.code !== ErrorCode.InvalidTransition) {
      throw refused;
    }
    res.redirect(303, `/imports/${id}`);
  }

  /** Runs a failed import again (it continues after its last committed batch). */
  @Post(':id/resume')
  @Mirrors('POST /api/imports/:id/resume')
  async resume(@Param('id', ParseIdPipe) id: number, @Res() res: Response): Promise<void> {
    const refused = await attempt(() => this.imports.resume(id));
    if (refused && refused.code !== ErrorCode.InvalidTransition) {
      throw refused;
    }
    res.redirect(303, `/imports/${id}`);
  }

  private async listPage(query: PageQuery, message: string | null) {
    const page = await this.imports.list(query);
    return {
      title: '导入',
      message,
      jobs: page.items.map((job) => ({ ...job, statusLabel: JOB_STATUS_LABELS[job.status] ?? job.status })),
      pager: pagerOf('/imports', new URLSearchParams(), page.page, page.pageSize, page.total),
    };
  }
}
