import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { User } from '../auth/user.entity.js';
import { HealthModule } from '../health/health.module.js';
import { HouseholdsModule } from '../households/households.module.js';
import { ImportsModule } from '../imports/imports.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { ReconciliationModule } from '../reconciliation/reconciliation.module.js';
import { RegionsModule } from '../regions/regions.module.js';
import { ReportsModule } from '../reports/reports.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { BulletinController } from './bulletin.controller.js';
import { ChoicesService } from './choices.service.js';
import { CsrfGuard } from './csrf.guard.js';
import { CsrfService } from './csrf.service.js';
import { DashboardController } from './dashboard.controller.js';
import { EnrollmentPagesController } from './enrollment-pages.controller.js';
import { RegistryApplyPagesController } from './registry-apply-pages.controller.js';
import { HouseholdsPagesController } from './households-pages.controller.js';
import { ImportsPagesController } from './imports-pages.controller.js';
import { EvidencePagesController } from './evidence-pages.controller.js';
import { EvidenceFormInterceptor } from './evidence-form.js';
import { ItemPages } from './item-page.js';
import { ItemsPagesController } from './items-pages.controller.js';
import { NotificationsPagesController } from './notifications-pages.controller.js';
import { PageContextInterceptor } from './page-context.interceptor.js';
import { PageErrorsModule } from './page-errors.module.js';
import { ReconciliationPagesController } from './reconciliation-pages.controller.js';
import { RiskFunnelPartial } from './risk-funnel.js';
import { RiskPagesController } from './risk-pages.controller.js';
import { CsrfAfterUploadInterceptor } from './upload-form.js';
import { SystemPagesController } from './system-pages.controller.js';
import { UsersPagesController } from './users-pages.controller.js';
import { WebAuthController } from './web-auth.controller.js';

/**
 * The server-rendered pages (issue #7): thin controllers over the API's services, the session
 * cookie's sign-in, and CSRF protection of every page form (a global guard; /api is exempt).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([User]),
    AuthModule,
    RegionsModule,
    HouseholdsModule,
    HealthModule,
    LedgerModule,
    ImportsModule,
    ReconciliationModule,
    ReportsModule,
    RiskModule,
    NotificationsModule,
    PageErrorsModule,
  ],
  controllers: [
    WebAuthController,
    DashboardController,
    HouseholdsPagesController,
    ItemsPagesController,
    EvidencePagesController,
    ImportsPagesController,
    ReconciliationPagesController,
    EnrollmentPagesController,
    RegistryApplyPagesController,
    RiskPagesController,
    NotificationsPagesController,
    BulletinController,
    UsersPagesController,
    SystemPagesController,
  ],
  providers: [
    CsrfService,
    ChoicesService,
    PageContextInterceptor,
    CsrfAfterUploadInterceptor,
    ItemPages,
    RiskFunnelPartial,
    EvidenceFormInterceptor,
    { provide: APP_GUARD, useClass: CsrfGuard },
  ],
})
export class WebModule {}
