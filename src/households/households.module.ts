import { Module } from '@nestjs/common';
import { HouseholdsService } from './households.service.js';
import { AccessLogController, PersonsController } from './persons.controller.js';
import { PersonsService } from './persons.service.js';

@Module({
  controllers: [PersonsController, AccessLogController],
  providers: [HouseholdsService, PersonsService],
  exports: [HouseholdsService, PersonsService],
})
export class HouseholdsModule {}
