import { Module } from '@nestjs/common';
import { HouseholdsService } from './households.service.js';
import { AccessLogController, PersonsController } from './persons.controller.js';
import { PersonFinder } from './person-finder.service.js';
import { PersonsService } from './persons.service.js';

@Module({
  controllers: [PersonsController, AccessLogController],
  providers: [HouseholdsService, PersonsService, PersonFinder],
  exports: [HouseholdsService, PersonsService, PersonFinder],
})
export class HouseholdsModule {}
