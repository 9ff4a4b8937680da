import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
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
import { TemplateQuery } from '../uploads/dto/template-query.dto.js';
import { UploadInterceptor } from '../uploads/upload.interceptor.js';
import {
  ApplyEnrollmentDto,
  CreateItemsDto,
  CreateReconciliationDto,
  ExportDiscrepanciesQuery,
  ReconciliationQuery,
} from './dto/reconciliation.dto.js';
import { EnrollmentApplyService } from './enrollment-apply.service.js';
import { ReconciliationService } from './reconciliation.service.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';

@ApiTags('reconciliation')
@ApiBearerAuth()
@Controller('api/reconciliations')
export class ReconciliationController {
  constructor(
    private readonly reconciliations: ReconciliationService,
    private readonly enrollment: EnrollmentApplyService,
  ) {}

  /** 数据比对: the insurance roster (CSV or XLSX) and its `year`; 202 with the reconciliation's id. */
  @Post()
  @HttpCode(202)
  @Require(Permission.ReconciliationsRun)
  @UseInterceptors(UploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      properties: { file: { type: 'string', format: 'binary' }, year: { type: 'integer', example: 2020 } },
    },
  })
  create(
    @CurrentUser() user: AuthUser,
    @UploadedFile() file: Express.Multer.File,
    @Body() dto: CreateReconciliationDto,
  ) {
    return this.reconciliations.create(user, file, dto.year);
  }

  @Get()
  @Require(Permission.ReconciliationsRun)
  list(@Query() query: PageQuery) {
    return this.reconciliations.list(query);
  }

  /** The roster template (Chinese headers; XLSX with drop-down lists, an example row, the region codes); before `:id`. */
  @Get('template')
  @Require(Permission.ReconciliationsRun)
  async template(@Query() query: TemplateQuery, @Res() res: Response): Promise<void> {
    res.attachment(`医保参保花名册模板.${query.format}`);
    await this.reconciliations.writeTemplate(query.format, res);
  }

  /** Status, counts per kind and a page of discrepancies (`kind`, `page`, `pageSize`), ID numbers masked. */
  @Get(':id')
  @Require(Permission.ReconciliationsRun)
  get(@Param('id', ParseIdPipe) id: number, @Query() query: ReconciliationQuery) {
    return this.reconciliations.get(id, query);
  }

  @Get(':id/discrepancies.csv')
  @Require(Permission.ReconciliationsRun)
  async export(
    @Param('id', ParseIdPipe) id: number,
    @Query() query: ExportDiscrepanciesQuery,
    @Res() res: Response,
  ): Promise<void> {
    const write = await this.reconciliations.exportCsv(id, query.kind);
    res.attachment(`数据比对-${id}.csv`);
    await write(res);
  }

  /** 取消比对: stops the reconciliation at its next batch; it is never resumed (409 once done). */
  @Post(':id/cancel')
  @HttpCode(200)
  @Require(Permission.ReconciliationsRun)
  cancel(@Param('id', ParseIdPipe) id: number) {
    return this.reconciliations.cancel(id);
  }

  /** Turns the chosen kinds into remediation items; repeating it files nothing new. */
  @Post(':id/items')
  @HttpCode(200)
  @Require(Permission.ReconciliationsRun)
  createItems(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: CreateItemsDto) {
    return this.reconciliations.createItems(user, id, dto);
  }

  /**
   * 写入参保信息: `{dryRun: true}` lists every change (before → after) and a `confirm` token; `{confirm}`
   * writes exactly those. Persons missing from the roster are left alone; 已参保 → 未参保 only with
   * `includeDowngrades: true`. A second apply changes nothing and says so.
   */
  @Post(':id/apply-enrollment')
  @HttpCode(200)
  @Require(Permission.ReconciliationsRun)
  applyEnrollment(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Body() dto: ApplyEnrollmentDto,
  ) {
    return dto.dryRun ? this.enrollment.preview(id, dto) : this.enrollment.apply(user, id, dto);
  }
}
