import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { PageQuery } from '../common/pagination.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';
import { ledgerActorOf } from '../ledger/ledger.service.js';
import { UploadInterceptor } from '../uploads/upload.interceptor.js';
import { AlertsQuery, RunRiskDto, ThresholdsDto, UploadSettlementsDto, YearQuery } from './dto/risk.dto.js';
import { RiskAlertsService } from './risk-alerts.service.js';
import { RiskRunService } from './risk-run.service.js';
import { RiskThresholdsService } from './risk-thresholds.service.js';
import { SettlementUploadsService } from './settlement-uploads.service.js';

@ApiTags('risk')
@ApiBearerAuth()
@Controller('api/risk')
export class RiskController {
  constructor(
    private readonly uploads: SettlementUploadsService,
    private readonly thresholds: RiskThresholdsService,
    private readonly runs: RiskRunService,
    private readonly alerts: RiskAlertsService,
  ) {}

  /** 医保结算数据: a file (CSV or XLSX, one row per settlement) of a `year`; 202 with the upload's id. */
  @Post('settlements')
  @HttpCode(202)
  @Require(Permission.RiskSettlementsUpload)
  @UseInterceptors(UploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      properties: { file: { type: 'string', format: 'binary' }, year: { type: 'integer', example: 2020 } },
    },
  })
  upload(@CurrentUser() user: AuthUser, @UploadedFile() file: Express.Multer.File, @Body() dto: UploadSettlementsDto) {
    return this.uploads.create(user, file, dto.year);
  }

  @Get('settlements')
  @Require(Permission.RiskSettlementsUpload)
  listUploads(@Query() query: PageQuery) {
    return this.uploads.list(query);
  }

  /** Status, progress, counts and the rejected rows (line, column, reason in Chinese). */
  @Get('settlements/:id')
  @Require(Permission.RiskSettlementsUpload)
  getUpload(@Param('id', ParseIdPipe) id: number) {
    return this.uploads.get(id);
  }

  @Get('thresholds')
  @Require(Permission.RiskRead)
  listThresholds() {
    return this.thresholds.list();
  }

  /** 预警阈值 of a year: `{ruralIncome (元), registeredRatio, otherRatio}`, ratios in (0, 5]. */
  @Put('thresholds/:year')
  @Require(Permission.RiskThresholdsManage)
  setThresholds(@CurrentUser() user: AuthUser, @Param() params: YearQuery, @Body() dto: ThresholdsDto) {
    return this.thresholds.set(user, params.year, dto);
  }

  /** The year's run now, as of `asOf` (default today); 409 naming what is missing without thresholds. */
  @Post('run')
  @HttpCode(200)
  @Require(Permission.RiskRun)
  run(@CurrentUser() user: AuthUser, @Body() dto: RunRiskDto) {
    return this.runs.run(dto, ledgerActorOf(user));
  }

  /** The year's alerts (ID numbers masked), the thresholds and the funnel by sub-district. */
  @Get('alerts')
  @Require(Permission.RiskRead)
  list(@Query() query: AlertsQuery) {
    return this.alerts.list(query);
  }

  /** 推送名单 (XLSX): the year's alerts of persons outside the register, for the rural-revitalisation office. */
  @Get('push-list')
  @Require(Permission.RiskPushList)
  async pushList(@CurrentUser() user: AuthUser, @Query() query: YearQuery, @Res() res: Response): Promise<void> {
    res.attachment(`因病返贫致贫预警推送名单-${query.year}.xlsx`);
    await this.alerts.writePushList(user, query.year, res);
  }
}
