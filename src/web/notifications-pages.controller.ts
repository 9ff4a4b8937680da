import { Get, Param, Post, Query, Render, Res } from '@nestjs/common';
import type { Response } from 'express';
import { type AuthUser, CurrentUser } from '../auth/auth-user.js';
import { ListNotificationsQuery } from '../notifications/dto/list-notifications.query.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { Mirrors } from './mirrors.decorator.js';
import { PageController } from './page-controller.decorator.js';
import { filterParams, pagerOf, readQuery } from './page-query.js';
import { ParseIdPipe } from '../common/parse-id.pipe.js';

/** 提醒: the signed-in user's own inbox (the escalation job's notices) and marking one read. */
@PageController('notifications')
export class NotificationsPagesController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @Render('inbox/list')
  async list(@CurrentUser() user: AuthUser, @Query() raw: Record<string, unknown>) {
    const query = readQuery(ListNotificationsQuery, raw);
    const page = await this.notifications.list(user, query);
    const params = filterParams(query as unknown as Record<string, unknown>, ['unread']);
    return {
      title: '提醒',
      unreadOnly: query.unread === true,
      unread: page.unread,
      notices: page.items,
      pager: pagerOf('/notifications', params, page.page, page.pageSize, page.total),
      back: params.size > 0 ? `/notifications?${params.toString()}` : '/notifications',
    };
  }

  /** 全部标为已读. */
  @Post('read-all')
  @Mirrors('POST /api/notifications/read-all')
  async readAll(@CurrentUser() user: AuthUser, @Res() res: Response): Promise<void> {
    await this.notifications.markAllRead(user);
    res.redirect(303, '/notifications');
  }

  @Post(':id/read')
  @Mirrors('POST /api/notifications/:id/read')
  async read(
    @CurrentUser() user: AuthUser,
    @Param('id', ParseIdPipe) id: number,
    @Query('unread') unread: unknown,
    @Res() res: Response,
  ): Promise<void> {
    await this.notifications.markRead(user, id);
    res.redirect(303, unread === 'true' ? '/notifications?unread=true' : '/notifications');
  }
}
