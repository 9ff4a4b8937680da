import { Get, Render } from '@nestjs/common';
import { Require } from '../auth/auth-user.js';
import { Permission } from '../auth/roles.js';
import { RegionsService } from '../regions/regions.service.js';
import { PageController } from './page-controller.decorator.js';

/**
 * Reference pages: the district's region codes (区划代码) for whoever fills in a roster, and the
 * queue page of an installation without Redis (with Redis, the Bull dashboard answers that path first).
 */
@PageController()
export class SystemPagesController {
  constructor(private readonly regions: RegionsService) {}

  /** Every sub-district and village with its 12-digit code, as the rosters' 区划代码 column wants it. */
  @Get('region-codes')
  @Require(Permission.RegionsRead)
  @Render('regions/codes')
  async codes() {
    const districts = await this.regions.tree();
    return {
      title: '区划代码',
      districts: districts.map((d) => ({
        code: d.code,
        name: d.name,
        subdistricts: d.children.map((s) => ({ code: s.code, name: s.name, villages: s.children })),
      })),
    };
  }

  /** Reached only without Redis: the queue work runs inside the application, so there is no queue to show. */
  @Get('admin/queues')
  @Require(Permission.EscalationsRun)
  @Render('system/queues')
  queues() {
    return { title: '任务队列' };
  }
}
