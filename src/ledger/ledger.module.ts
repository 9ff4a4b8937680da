import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { HealthModule } from '../health/health.module.js';
import { AttachmentsController } from './attachments.controller.js';
import { AttachmentsService } from './attachments.service.js';
import { Campaign } from './campaign.entity.js';
import { CampaignFigures } from './campaign-figures.js';
import { CampaignsController } from './campaigns.controller.js';
import { CampaignsService } from './campaigns.service.js';
import { EvidenceStore } from './evidence-store.js';
import { EvidenceThumbnails } from './evidence-thumbnails.js';
import { EvidenceUploadInterceptor } from './evidence-upload.interceptor.js';
import { FollowUpFilingService } from './follow-up-filing.service.js';
import { FollowUpsController } from './follow-ups.controller.js';
import { ItemBatchFiling } from './item-batch.service.js';
import { ItemExportService } from './item-export.service.js';
import { ItemTexts } from './item-texts.js';
import { ItemViews } from './item-views.js';
import { ItemsController } from './items.controller.js';
import { ItemChanges } from './item-changes.js';
import { ItemClosure } from './item-closure.service.js';
import { ItemFilingService } from './item-filing.service.js';
import { ItemLevels } from './item-levels.service.js';
import { ItemQueries } from './item-queries.service.js';
import { ItemsService } from './items.service.js';
import { LedgerService } from './ledger.service.js';
import { ReviewNotices } from './review-notices.js';

/** Campaigns, remediation items, their hash-chained ledger (issue #4) and their evidence (佐证材料, issue #15). */
@Module({
  imports: [TypeOrmModule.forFeature([Campaign]), HealthModule],
  controllers: [CampaignsController, ItemsController, FollowUpsController, AttachmentsController],
  providers: [
    CampaignsService,
    CampaignFigures,
    ItemsService,
    ItemChanges,
    ItemClosure,
    ReviewNotices,
    ItemQueries,
    LedgerService,
    ItemExportService,
    ItemTexts,
    ItemViews,
    ItemLevels,
    ItemFilingService,
    ItemBatchFiling,
    FollowUpFilingService,
    AttachmentsService,
    EvidenceStore,
    EvidenceThumbnails,
    EvidenceUploadInterceptor,
  ],
  exports: [
    CampaignsService,
    CampaignFigures,
    ItemsService,
    ItemBatchFiling,
    ItemQueries,
    LedgerService,
    ItemTexts,
    ItemViews,
    ItemLevels,
    AttachmentsService,
    EvidenceStore,
    FollowUpFilingService,
    EvidenceUploadInterceptor,
    ReviewNotices,
  ],
})
export class LedgerModule {}
