import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module.js';
import { ChecksModule } from '../checks/checks.module.js';
import { EscalationModule } from '../escalation/escalation.module.js';
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
import { CampaignsPagesController } from './campaigns-pages.controller.js';
import { ChoicesService } from './choices.service.js';
import { CsrfGuard } from './csrf.guard.js';
import { CsrfService } from './csrf.service.js';
import { DashboardController } from './dashboard.controller.js';
import { EnrollmentPagesController } from './enrollment-pages.controller.js';
import { RegistryApplyPagesController } from './registry-apply-pages.controller.js';
import { HealthPagesController } from './health-pages.controller.js';
import { HouseholdsPagesController } from './households-pages.controller.js';
import { MemberHealthForms } from './member-health.js';
import { HouseholdFormsController } from './household-forms.controller.js';
import { HouseholdPage } from './household-page.js';
import { IdAccessPagesController } from './id-access-pages.controller.js';
import { ImportsPagesController } from './imports-pages.controller.js';
import { EvidencePagesController } from './evidence-pages.controller.js';
import { EvidenceFormInterceptor } from './evidence-form.js';
import { ItemPages } from './item-page.js';
import { ItemRegistrationPagesController } from './item-registration-pages.controller.js';
import { ItemsPagesController } from './items-pages.controller.js';
import { NotificationsPagesController } from './notifications-pages.controller.js';
import { PageContextInterceptor } from './page-context.interceptor.js';
import { PageErrorsModule } from './page-errors.module.js';
import { WorklistsPagesController } from './worklists-pages.controller.js';
import { ReconciliationPagesController } from './reconciliation-pages.controller.js';
import { RunsPagesController } from './runs-pages.controller.js';
import { RiskFunnelPartial } from './risk-funnel.js';
import { RiskPagesController } from './risk-pages.controller.js';
import { CsrfAfterUploadInterceptor } from './upload-form.js';
import { SystemPagesController } from './system-pages.controller.js';
import { UserAccountPagesController } from './user-account-pages.controller.js';
import { UsersPagesController } from './users-pages.controller.js';
import { WebAuthController } from './web-auth.controller.js';
import { DashboardDrilldown } from './dashboard-drilldown.js';

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
    ChecksModule,
    EscalationModule,
    PageErrorsModule,
  ],
  controllers: [
    WebAuthController,
    DashboardController,
    HouseholdsPagesController,
    HealthPagesController,
    HouseholdFormsController,
    IdAccessPagesController,
    // Before the items pages: their `:id` would take /items/new and /items/batch.
    ItemRegistrationPagesController,
    ItemsPagesController,
    CampaignsPagesController,
    EvidencePagesController,
    ImportsPagesController,
    ReconciliationPagesController,
    EnrollmentPagesController,
    RegistryApplyPagesController,
    RiskPagesController,
    NotificationsPagesController,
    BulletinController,
    UsersPagesController,
    UserAccountPagesController,
    SystemPagesController,
    WorklistsPagesController,
    RunsPagesController,
  ],
  providers: [
    CsrfService,
    ChoicesService,
    PageContextInterceptor,
    CsrfAfterUploadInterceptor,
    ItemPages,
    MemberHealthForms,
    HouseholdPage,
    RiskFunnelPartial,
    EvidenceFormInterceptor,
    DashboardDrilldown,
    { provide: APP_GUARD, useClass: CsrfGuard },
  ],
})
export class WebModule {}
