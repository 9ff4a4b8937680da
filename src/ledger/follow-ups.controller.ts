import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { CreateFollowUpDto } from '../health/dto/health.dto.js';
import { FollowUpFilingService } from './follow-up-filing.service.js';

/** 随访登记: here rather than in health because a death is noted on the ledger of the person's items. */
@ApiTags('health')
@ApiBearerAuth()
@Controller('api/contracts')
export class FollowUpsController {
  constructor(private readonly filing: FollowUpFilingService) {}

  @Post(':id/follow-ups')
  @Require(Permission.HealthWrite)
  addFollowUp(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: CreateFollowUpDto) {
    return this.filing.record(user, id, dto);
  }
}
