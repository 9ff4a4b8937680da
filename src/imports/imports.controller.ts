import { Controller, Get, HttpCode, Param, Post, Query, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { PageQuery } from '../common/pagination.js';
import { TemplateQuery } from '../uploads/dto/template-query.dto.js';
import { ImportsService } from './imports.service.js';
import { UploadInterceptor } from '../uploads/upload.interceptor.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';

@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  /** 批量导入: a household roster (CSV or XLSX, one row per person); 202 with the import's id. */
  @Post('households')
  @HttpCode(202)
  @Require(Permission.ImportsRun)
  @UseInterceptors(UploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } } } })
  create(@CurrentUser() user: AuthUser, @UploadedFile() file: Express.Multer.File) {
    return this.imports.create(user, file);
  }

  @Get()
  @Require(Permission.ImportsRun)
  list(@Query() query: PageQuery) {
    return this.imports.list(query);
  }

  /** The roster template with the Chinese headers; declared before `:id`. */
  @Get('template')
  @Require(Permission.ImportsRun)
  async template(@Query() query: TemplateQuery, @Res() res: Response): Promise<void> {
    res.attachment(`贫困户导入模板.${query.format}`);
    await this.imports.writeTemplate(query.format, res);
  }

  /** Status, progress, counts and the rejected rows (`page`, `pageSize`). */
  @Get(':id')
  @Require(Permission.ImportsRun)
  get(@Param('id', ParseIdPipe) id: number, @Query() query: PageQuery) {
    return this.imports.get(id, query);
  }

  @Get(':id/errors.csv')
  @Require(Permission.ImportsRun)
  async errors(@Param('id', ParseIdPipe) id: number, @Res() res: Response): Promise<void> {
    const write = await this.imports.errorsExport(id);
    res.attachment(`导入错误-${id}.csv`);
    await write(res);
  }

  /** 取消导入: stops the import at its next batch; it is never resumed (409 once done). */
  @Post(':id/cancel')
  @HttpCode(200)
  @Require(Permission.ImportsRun)
  cancel(@Param('id', ParseIdPipe) id: number) {
    return this.imports.cancel(id);
  }

  /** Runs a failed or interrupted import again; it continues after its last committed batch. */
  @Post(':id/resume')
  @HttpCode(202)
  @Require(Permission.ImportsRun)
  resume(@Param('id', ParseIdPipe) id: number) {
    return this.imports.resume(id);
  }
}
