import { Module } from '@nestjs/common';
import { ConditionsService } from './conditions.service.js';
import { ContractsService } from './contracts.service.js';
import { ContractsController, HealthRecordsController } from './health.controller.js';
import { HealthProfileService } from './health-profile.service.js';
import { InsuranceService } from './insurance.service.js';

/** Health records: conditions (三个一批), family-doctor contracts and follow-ups, insurance enrollment. */
@Module({
  controllers: [HealthRecordsController, ContractsController],
  providers: [ConditionsService, ContractsService, InsuranceService, HealthProfileService],
  exports: [ContractsService, HealthProfileService],
})
export class HealthModule {}
