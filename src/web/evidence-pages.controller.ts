import { Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { httpStatusOf } from '../common/app-error.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { AttachmentsService } from '../ledger/attachments.service.js';
import { EvidenceForm, type EvidenceFormRequest } from './evidence-form.js';
import { attempt, refusalMessage } from './forms.js';
import { ItemPages } from './item-page.js';
import { PageController } from './page-controller.decorator.js';
import { Mirrors } from './mirrors.decorator.js';

/**
 * 上传佐证材料 from the item page: one photo or PDF per form, through the API's upload and
 * AttachmentsService.add (stored content-addressed, one `attachment_added` entry). Success goes back
 * to the item (POST/redirect/GET); a refusal re-renders it with the reason.
 */
@PageController('items')
export class EvidencePagesController {
  constructor(
    private readonly attachments: AttachmentsService,
    private readonly pages: ItemPages,
  ) {}

  @Post(':id/attachments')
  @Mirrors('POST /api/items/:id/attachments')
  @Require(Permission.ItemsAct)
  @EvidenceForm()
  async upload(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Req() req: EvidenceFormRequest,
    @Res() res: Response,
  ): Promise<void> {
    let status = req.evidenceRefusal?.status ?? 0;
    let message = req.evidenceRefusal?.message ?? null;
    if (req.evidence) {
      const file = req.evidence;
      const refused = await attempt(() => this.attachments.add(user, id, file));
      if (!refused) {
        res.redirect(303, `/items/${id}?done=attach#evidence`);
        return;
      }
      status = httpStatusOf(refused.code);
      message = refusalMessage(refused);
    }
    await this.pages.render(res, user, id, {
      status: status || 400,
      refusal: { action: 'attach', values: {}, errors: {}, message },
    });
  }
}
