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
import { UploadInterceptor } from '../uploads/upload.interceptor.js';
import {
  ApplyEnrollmentDto,
  ApplyRegistryDto,
  CreateItemsDto,
  CreateReconciliationDto,
  ExportDiscrepanciesQuery,
  ReconciliationListQuery,
  ReconciliationQuery,
  ReconciliationTemplateQuery,
} from './dto/reconciliation.dto.js';
import { DiscrepancyItemsService } from './discrepancy-items.service.js';
import { EnrollmentApplyService } from './enrollment-apply.service.js';
import { PovertyApplyService } from './poverty-apply.service.js';
import { ANY_SOURCE, assertSource } from './reconciliation-source.js';
import { ReconciliationService } from './reconciliation.service.js';
import { TEMPLATE_NAMES } from './roster-templates.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';

@ApiTags('reconciliation')
@ApiBearerAuth()
@Controller('api/reconciliations')
export class ReconciliationController {
  constructor(
    private readonly reconciliations: ReconciliationService,
    private readonly discrepancyItems: DiscrepancyItemsService,
    private readonly enrollment: EnrollmentApplyService,
    private readonly registry: PovertyApplyService,
  ) {}

  /**
   * 数据比对: a roster (CSV or XLSX) of its `source` — the insurance bureau's (the default, with its
   * `year`; 医保局 staff and admins) or the poverty office's (`poverty`; health caseworkers and admins);
   * 202 with the reconciliation's id.
   */
  @Post()
  @HttpCode(202)
  @Require(...ANY_SOURCE)
  @UseInterceptors(UploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      properties: {
        file: { type: 'string', format: 'binary' },
        source: { type: 'string', enum: ['insurance', 'poverty'], default: 'insurance' },
        year: { type: 'integer', example: 2020 },
      },
    },
  })
  create(
    @CurrentUser() user: AuthUser,
    @UploadedFile() file: Express.Multer.File,
    @Body() dto: CreateReconciliationDto,
  ) {
    return this.reconciliations.create(user, file, dto);
  }

  /** The reconciliations of a `source` (default insurance; 403 for a caller who does not work with it). */
  @Get()
  @Require(...ANY_SOURCE)
  list(@CurrentUser() user: AuthUser, @Query() query: ReconciliationListQuery) {
    return this.reconciliations.list(user, query, query.source);
  }

  /**
   * A roster template (`source`, default insurance; Chinese headers; XLSX with drop-down lists, an
   * example row, the region codes); before `:id`.
   */
  @Get('template')
  @Require(...ANY_SOURCE)
  async template(
    @CurrentUser() user: AuthUser,
    @Query() query: ReconciliationTemplateQuery,
    @Res() res: Response,
  ): Promise<void> {
    assertSource(user, query.source);
    res.attachment(`${TEMPLATE_NAMES[query.source]}.${query.format}`);
    await this.reconciliations.writeTemplate(query.source, query.format, res);
  }

  /** Status, counts per kind and a page of discrepancies (`kind`, `page`, `pageSize`), ID numbers masked. */
  @Get(':id')
  @Require(...ANY_SOURCE)
  get(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Query() query: ReconciliationQuery) {
    return this.reconciliations.get(user, id, query);
  }

  @Get(':id/discrepancies.csv')
  @Require(...ANY_SOURCE)
  async export(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Query() query: ExportDiscrepanciesQuery,
    @Res() res: Response,
  ): Promise<void> {
    const write = await this.reconciliations.exportCsv(user, id, query.kind);
    res.attachment(`数据比对-${id}.csv`);
    await write(res);
  }

  /** 取消比对: stops the reconciliation at its next batch; it is never resumed (409 once done). */
  @Post(':id/cancel')
  @HttpCode(200)
  @Require(...ANY_SOURCE)
  cancel(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number) {
    return this.reconciliations.cancel(user, id);
  }

  /** Turns the chosen kinds into remediation items; repeating it files nothing new. */
  @Post(':id/items')
  @HttpCode(200)
  @Require(...ANY_SOURCE)
  createItems(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: CreateItemsDto) {
    return this.discrepancyItems.createItems(user, id, dto);
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
    return dto.dryRun ? this.enrollment.preview(user, id, dto) : this.enrollment.apply(user, id, dto);
  }

  /**
   * 写入登记信息 from a poverty roster (SPEC §6.5): `{kinds, dryRun: true}` lists every change (add
   * households and persons, household status, person status and household) and a `confirm` token;
   * `{kinds}` (with that `confirm`, to write exactly what was shown) writes them in one transaction,
   * each logged with the reconciliation's id. A second apply changes nothing and says so.
   */
  @Post(':id/apply')
  @HttpCode(200)
  @Require(Permission.PovertyReconciliationsRun)
  apply(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: ApplyRegistryDto) {
    return dto.dryRun ? this.registry.preview(user, id, dto) : this.registry.apply(user, id, dto);
  }
}
