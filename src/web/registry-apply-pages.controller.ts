import { Body, Get, Param, Post, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { ErrorCode } from '../common/app-error.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { DISCREPANCY_LABELS } from '../reconciliation/discrepancy.entity.js';
import { ApplyRegistryDto } from '../reconciliation/dto/reconciliation.dto.js';
import { APPLICABLE_KINDS, type ApplicableKind } from '../reconciliation/poverty-apply-plan.js';
import { PovertyApplyService, type RegistryChangeView } from '../reconciliation/poverty-apply.service.js';
import type { RegistryChangeKind } from '../reconciliation/registry-change.entity.js';
import { REGISTRY_CHANGE_LABELS, registryStateText } from '../reconciliation/registry-change-labels.js';
import { attempt } from './forms.js';
import { PageController } from './page-controller.decorator.js';
import { pagerOf } from './page-query.js';
import { Mirrors } from './mirrors.decorator.js';

const PAGE_SIZE = 100;

/** The kinds a form or a link chose (one value or several); none: every applicable kind. */
function chosenKinds(value: unknown): ApplicableKind[] {
  const given = (Array.isArray(value) ? value : [value]).filter((v): v is ApplicableKind =>
    (APPLICABLE_KINDS as readonly unknown[]).includes(v),
  );
  return given.length > 0 ? [...new Set(given)] : [...APPLICABLE_KINDS];
}

/**
 * 写入登记信息 from a poverty roster in two steps: the preview lists every change for the chosen
 * kinds (原登记 → 扶贫办) with its roster line; the confirmation posts the kinds and the preview's
 * token, so what is written is what was shown.
 */
@PageController('reconciliations')
@Require(Permission.PovertyReconciliationsRun)
export class RegistryApplyPagesController {
  constructor(private readonly registry: PovertyApplyService) {}

  @Get(':id/apply')
  async preview(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Query() raw: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    res.render('reconciliation/apply', await this.page(user, id, raw, null));
  }

  @Post(':id/apply')
  @Mirrors('POST /api/reconciliations/:id/apply')
  async apply(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    const dto = Object.assign(new ApplyRegistryDto(), {
      kinds: chosenKinds(body.kinds),
      confirm: typeof body.confirm === 'string' && /^[0-9a-f]{32}$/.test(body.confirm) ? body.confirm : undefined,
    });
    let applied = 0;
    const refused = dto.confirm
      ? await attempt(async () => {
          applied = (await this.registry.apply(user, id, dto)).changes.total;
        })
      : null;
    if (dto.confirm && !refused) {
      res.redirect(303, `/reconciliations/${id}?registryApplied=${applied}`);
      return;
    }
    const message =
      refused?.code === ErrorCode.VersionConflict
        ? '预览之后登记信息又有变化（或写入已由他人接续），请核对下面重新列出的变化后再确认。'
        : refused?.field === 'kinds'
          ? '上次写入尚未完成：请勾选与上次相同的差异类型，预览后确认，继续写入。'
          : refused?.code === ErrorCode.InvalidTransition
            ? '比对尚未完成，或花名册文件已不在服务器上，无法写入登记信息。'
            : '请先预览变化，再确认写入。';
    res.status(409).render('reconciliation/apply', await this.page(user, id, body, message));
  }

  private async page(user: AuthUser, id: number, raw: Record<string, unknown>, message: string | null) {
    let kinds = chosenKinds(raw.kinds);
    const page = typeof raw.page === 'string' && /^\d{1,6}$/.test(raw.page) ? Math.max(1, Number(raw.page)) : 1;
    const ask = (p: number) => this.registry.preview(user, id, { kinds, dryRun: true, page: p, pageSize: PAGE_SIZE });
    let preview = await ask(page);
    // An interrupted apply goes on with its own kinds: without a choice, the preview shows those.
    const left = preview.apply?.status === 'applying' ? preview.apply.kinds : null;
    if (left && raw.kinds === undefined && left.join(',') !== [...kinds].sort().join(',')) {
      kinds = left;
      preview = await ask(page);
    }
    const last = Math.max(1, Math.ceil(preview.changes.total / PAGE_SIZE));
    if (page > last) {
      preview = await ask(last);
    }
    const params = new URLSearchParams(kinds.map((k): [string, string] => ['kinds', k]));
    const chosen = new Set(kinds);
    const interrupted = preview.apply?.status === 'applying' ? preview.apply : null;
    return {
      title: `写入登记信息 · 数据比对 #${id}`,
      id,
      message,
      preview,
      interrupted: interrupted && {
        ...interrupted,
        kindLabels: interrupted.kinds.map((k) => DISCREPANCY_LABELS[k]).join('、'),
      },
      kinds: APPLICABLE_KINDS.map((kind) => ({ kind, label: DISCREPANCY_LABELS[kind], checked: chosen.has(kind) })),
      chosen: kinds,
      counts: Object.entries(preview.counts)
        .filter(([, n]) => n > 0)
        .map(([change, n]) => ({ label: REGISTRY_CHANGE_LABELS[change as RegistryChangeKind], count: n })),
      changes: preview.changes.items.map((c: RegistryChangeView) => ({
        ...c,
        changeLabel: REGISTRY_CHANGE_LABELS[c.change],
        beforeText: registryStateText(c.change, c.before),
        afterText: registryStateText(c.change, c.after),
      })),
      pager: pagerOf(`/reconciliations/${id}/apply`, params, preview.changes.page, PAGE_SIZE, preview.changes.total),
    };
  }
}
