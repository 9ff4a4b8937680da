import { Body, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { ErrorCode } from '../common/app-error.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { ApplyEnrollmentDto } from '../reconciliation/dto/reconciliation.dto.js';
import { EnrollmentApplyService, type EnrollmentState } from '../reconciliation/enrollment-apply.service.js';
import { attempt } from './forms.js';
import { PageController } from './page-controller.decorator.js';
import { pagerOf } from './page-query.js';
import { Mirrors } from './mirrors.decorator.js';

const PAGE_SIZE = 100;

/** 已参保（资助）/ 已参保 / 未参保 / 无记录. */
export function enrollmentText(state: EnrollmentState | null): string {
  if (!state) {
    return '无记录';
  }
  return state.enrolled ? (state.subsidized ? '已参保（资助参保）' : '已参保') : '未参保';
}

/**
 * 写入参保信息 in two steps: the preview lists every change (原记录 → 花名册) with its roster line,
 * the downgrades (已参保 → 未参保) apart and unticked; the confirmation posts the preview's token, so
 * what is written is what was shown.
 */
@PageController('reconciliations')
@Require(Permission.ReconciliationsRun)
export class EnrollmentPagesController {
  constructor(private readonly enrollment: EnrollmentApplyService) {}

  @Get(':id/apply-enrollment')
  async preview(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Query() raw: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    res.render('reconciliation/enrollment', await this.page(user, id, raw, null));
  }

  @Post(':id/apply-enrollment')
  @Mirrors('POST /api/reconciliations/:id/apply-enrollment')
  async apply(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const dto = Object.assign(new ApplyEnrollmentDto(), {
      confirm: typeof body.confirm === 'string' && /^[0-9a-f]{32}$/.test(body.confirm) ? body.confirm : undefined,
      includeDowngrades: body.includeDowngrades === 'true',
    });
    let applied = 0;
    const refused = await attempt(async () => {
      applied = (await this.enrollment.apply(user, id, dto)).applied;
    });
    if (!refused) {
      res.redirect(303, `/reconciliations/${id}?applied=${applied}`);
      return;
    }
    const message =
      refused.code === ErrorCode.VersionConflict
        ? '预览之后参保信息又有变化，请核对下面重新列出的变化后再确认。'
        : refused.code === ErrorCode.InvalidTransition
          ? '比对尚未完成，或花名册文件已不在服务器上，无法写入参保信息。'
          : '请先预览变化，再确认写入。';
    res.status(409).render('reconciliation/enrollment', await this.page(user, id, body, message));
  }

  private async page(user: AuthUser, id: number, raw: Record<string, unknown>, message: string | null) {
    const includeDowngrades = raw.includeDowngrades === 'true';
    const page = typeof raw.page === 'string' && /^\d{1,6}$/.test(raw.page) ? Math.max(1, Number(raw.page)) : 1;
    let preview = await this.enrollment.preview(user, id, { includeDowngrades, page, pageSize: PAGE_SIZE });
    const last = Math.max(1, Math.ceil(preview.changes.total / PAGE_SIZE));
    if (page > last) {
      preview = await this.enrollment.preview(user, id, { includeDowngrades, page: last, pageSize: PAGE_SIZE });
    }
    const params = new URLSearchParams(includeDowngrades ? { includeDowngrades: 'true' } : {});
    return {
      title: `写入参保信息 · 数据比对 #${id}`,
      id,
      message,
      preview,
      includeDowngrades,
      changes: preview.changes.items.map((c) => ({
        ...c,
        beforeText: enrollmentText(c.before),
        afterText: enrollmentText(c.after),
        skipped: c.downgrade && !includeDowngrades,
      })),
      pager: pagerOf(
        `/reconciliations/${id}/apply-enrollment`,
        params,
        preview.changes.page,
        PAGE_SIZE,
        preview.changes.total,
      ),
    };
  }
}
