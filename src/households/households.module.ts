import { Module } from '@nestjs/common';
import { HealthModule } from '../health/health.module.js';
import { AccessLogController, HouseholdsController, PersonsController } from './households.controller.js';
import { HouseholdsService } from './households.service.js';
import { PersonsService } from './persons.service.js';

@Module({
  imports: [HealthModule],
  controllers: [HouseholdsController, PersonsController, AccessLogController],
  providers: [HouseholdsService, PersonsService],
  exports: [HouseholdsService, PersonsService],
})
export class HouseholdsModule {}
