import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type AuthUser, CurrentUser, Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { CreateItemDto } from './dto/create-item.dto.js';
import {
  CloseItemDto,
  CommentItemDto,
  ProgressItemDto,
  ReopenItemDto,
  ReviewItemDto,
  StartItemDto,
} from './dto/item-actions.dto.js';
import { AssignItemDto } from './dto/item-assignee.dto.js';
import { ChangeDeadlineDto, ReassignItemDto } from './dto/item-changes.dto.js';
import { ExportItemsQuery, ListItemsQuery } from './dto/list-items.dto.js';
import { ItemExportService } from './item-export.service.js';
import { ItemQueries } from './item-queries.service.js';
import { ItemsService } from './items.service.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';

@ApiTags('ledger')
@ApiBearerAuth()
@Controller('api/items')
export class ItemsController {
  constructor(
    private readonly items: ItemsService,
    private readonly queries: ItemQueries,
    private readonly exporter: ItemExportService,
  ) {}

  @Get()
  @Require(Permission.ItemsRead)
  list(@CurrentUser() user: AuthUser, @Query() query: ListItemsQuery) {
    return this.queries.list(user, query);
  }

  /** The 台账 as CSV or XLSX, streamed; declared before `:id`. */
  @Get('export')
  @Require(Permission.ItemsRead)
  async export(@CurrentUser() user: AuthUser, @Query() query: ExportItemsQuery, @Res() res: Response): Promise<void> {
    const { format, ...filters } = query;
    res.attachment(this.exporter.fileName(format));
    await this.exporter.write(user, filters, format, res);
  }

  @Post()
  @Require(Permission.ItemsCreate)
  create(@CurrentUser() user: AuthUser, @Body() dto: CreateItemDto) {
    return this.items.create(user, dto);
  }

  @Get(':id')
  @Require(Permission.ItemsRead)
  get(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number) {
    return this.queries.get(user, id);
  }

  @Get(':id/ledger/verify')
  @Require(Permission.ItemsRead)
  verify(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number) {
    return this.queries.verify(user, id);
  }

  @Post(':id/start')
  @HttpCode(200)
  @Require(Permission.ItemsAct)
  start(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: StartItemDto) {
    return this.items.start(user, id, dto);
  }

  @Post(':id/progress')
  @HttpCode(200)
  @Require(Permission.ItemsAct)
  progress(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: ProgressItemDto) {
    return this.items.progress(user, id, dto);
  }

  @Post(':id/close')
  @HttpCode(200)
  @Require(Permission.ItemsAct)
  close(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: CloseItemDto) {
    return this.items.close(user, id, dto);
  }

  /** 销号审核 of a pending close request (SPEC §6.2): the department's reviewers or an admin, never the requester. */
  @Post(':id/review')
  @HttpCode(200)
  @Require(Permission.ItemsReview)
  review(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: ReviewItemDto) {
    return this.items.review(user, id, dto);
  }

  /** 批注: anyone who may read the item; answers the item with its ledger, as the other actions do. */
  @Post(':id/comments')
  @HttpCode(200)
  @Require(Permission.ItemsRead)
  comment(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: CommentItemDto) {
    return this.items.comment(user, id, dto);
  }

  /** 责任人: the officer of the sub-district or the caseworker (the department rule applies). */
  @Post(':id/assignee')
  @HttpCode(200)
  @Require(Permission.ItemsAct)
  assign(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: AssignItemDto) {
    return this.items.assign(user, id, dto);
  }

  @Post(':id/reopen')
  @HttpCode(200)
  @Require(Permission.ItemsManage)
  reopen(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: ReopenItemDto) {
    return this.items.reopen(user, id, dto);
  }

  @Post(':id/reassign')
  @HttpCode(200)
  @Require(Permission.ItemsManage)
  reassign(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: ReassignItemDto) {
    return this.items.reassign(user, id, dto);
  }

  @Post(':id/deadline')
  @HttpCode(200)
  @Require(Permission.ItemsManage)
  changeDeadline(@CurrentUser() user: AuthUser, @Param('id', ParseIdPipe) id: number, @Body() dto: ChangeDeadlineDto) {
    return this.items.changeDeadline(user, id, dto);
  }
}
