import { Body, Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Require } from './auth-user.js';
import { Permission } from './roles.js';
import { CreateRegionDto } from '../regions/dto/create-region.dto.js';
import { RegionsService } from '../regions/regions.service.js';

@ApiTags('regions')
@ApiBearerAuth()
@Controller('api/regions')
export class RegionsController {
  constructor(private readonly regions: RegionsService) {}

  @Get()
  @Require(Permission.RegionsRead)
  async tree() {
    return { items: await this.regions.tree() };
  }

  @Post()
  @Require(Permission.RegionsWrite)
  create(@Body() dto: CreateRegionDto) {
    return this.regions.create(dto);
  }
}
