import { Module } from '@nestjs/common';
import { HouseholdsModule } from '../households/households.module.js';
import { ConditionsService } from './conditions.service.js';
import { ContractRenewalService } from './contract-renewal.service.js';
import { ContractsService } from './contracts.service.js';
import { FollowUpsService } from './follow-ups.service.js';
import { ContractsController, HealthRecordsController } from './health.controller.js';
import { HealthProfileService } from './health-profile.service.js';
import { HouseholdsController } from './households.controller.js';
import { InsuranceService } from './insurance.service.js';

/** Health records: conditions (三个一批), family-doctor contracts and follow-ups, insurance enrollment. */
@Module({
  imports: [HouseholdsModule],
  controllers: [HouseholdsController, HealthRecordsController, ContractsController],
  providers: [
    ConditionsService,
    ContractsService,
    ContractRenewalService,
    FollowUpsService,
    InsuranceService,
    HealthProfileService,
  ],
  exports: [ConditionsService, ContractsService, ContractRenewalService, FollowUpsService, HealthProfileService],
})
export class HealthModule {}
