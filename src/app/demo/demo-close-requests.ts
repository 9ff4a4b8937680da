import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthUser } from '../../auth/auth-user.js';
import { AttachmentsService } from '../../ledger/attachments.service.js';
import { EvidenceStore } from '../../ledger/evidence-store.js';
import { ItemsService } from '../../ledger/items.service.js';
import type { DemoCloseRequest } from './demo-campaign.js';
import { type DemoEvidence, demoFile } from './demo-evidence.js';

/** The demo campaign's 销号 requests (SPEC §6.2), made through the services the pages and the API use. */
@Injectable()
export class DemoCloseRequests {
  constructor(
    private readonly items: ItemsService,
    private readonly attachments: AttachmentsService,
    private readonly store: EvidenceStore,
  ) {}

  /**
   * 申请销号 with evidence, as the pages do it: the officer uploads the files and requests; a rejected
   * request comes back with the reviewer's comment, and the officer adds evidence and requests again.
   * The item is left pending review.
   */
  async request(
    officer: AuthUser,
    reviewer: AuthUser,
    itemId: number,
    version: number,
    request: DemoCloseRequest,
  ): Promise<void> {
    await this.attach(officer, itemId, request.evidence);
    let current = (await this.items.close(officer, itemId, { resolution: request.resolution, version })).version;
    if (request.rejected) {
      const { comment, evidence, resolution } = request.rejected;
      current = (await this.items.review(reviewer, itemId, { decision: 'reject', comment, version: current })).version;
      await this.attach(officer, itemId, evidence);
      await this.items.close(officer, itemId, { resolution, version: current });
    }
  }

  /** Adds generated evidence through the upload's own path: into the store's receiving folder, then AttachmentsService.add. */
  private async attach(user: AuthUser, itemId: number, evidence: DemoEvidence[]): Promise<void> {
    this.store.ensureIncoming();
    for (const description of evidence) {
      const file = await demoFile(description);
      const path = join(this.store.incoming, `${randomUUID()}.part`);
      await writeFile(path, file.bytes);
      await this.attachments.add(user, itemId, {
        path,
        sha256: createHash('sha256').update(file.bytes).digest('hex'),
        size: file.bytes.length,
        type: file.type,
        originalName: file.name,
      });
    }
  }
}
