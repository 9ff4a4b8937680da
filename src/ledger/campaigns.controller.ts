import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { PageQuery } from '../common/pagination.js';
import { CampaignsService } from './campaigns.service.js';
import { CreateCampaignDto, UpdateCampaignDto } from './dto/create-campaign.dto.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';

@ApiTags('ledger')
@ApiBearerAuth()
@Controller('api/campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post()
  @Require(Permission.CampaignsManage)
  create(@Body() dto: CreateCampaignDto) {
    return this.campaigns.create(dto);
  }

  @Get()
  @Require(Permission.CampaignsRead)
  list(@Query() query: PageQuery) {
    return this.campaigns.list(query);
  }

  @Get(':id')
  @Require(Permission.CampaignsRead)
  get(@Param('id', ParseIdPipe) id: number) {
    return this.campaigns.get(id);
  }

  /** The 销号审核 settings (closeReview, evidenceRequired). */
  @Patch(':id')
  @Require(Permission.CampaignsManage)
  update(@Param('id', ParseIdPipe) id: number, @Body() dto: UpdateCampaignDto) {
    return this.campaigns.update(id, dto);
  }
}
