import { Body, Controller, Get, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { TemplateQuery } from '../uploads/dto/template-query.dto.js';
import { UploadInterceptor } from '../uploads/upload.interceptor.js';
import { FindingsBatchDto } from './dto/findings-batch.dto.js';
import { FindingsService } from './findings.service.js';

@ApiTags('ledger')
@ApiBearerAuth()
@Controller('api/items/batch')
export class FindingsController {
  constructor(private readonly findings: FindingsService) {}

  /**
   * 批量登记: a supervision group's findings (CSV or XLSX: 街道,类别,问题,问题描述,责任部门,截止日期,
   * 对象身份证号) filed all at once under `campaignId`: 201 with the count, or 400 with every
   * refused row (`rows`: line, column, reason) and nothing filed.
   */
  @Post()
  @Require(Permission.ItemsCreate)
  @UseInterceptors(UploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      properties: { campaignId: { type: 'integer' }, file: { type: 'string', format: 'binary' } },
    },
  })
  file(@CurrentUser() user: AuthUser, @Body() dto: FindingsBatchDto, @UploadedFile() file: Express.Multer.File) {
    return this.findings.file(user, dto.campaignId, file);
  }

  @Get('template')
  @Require(Permission.ItemsCreate)
  async template(@Query() query: TemplateQuery, @Res() res: Response): Promise<void> {
    res.attachment(`督导发现问题登记模板.${query.format}`);
    await this.findings.writeTemplate(query.format, res);
  }
}
