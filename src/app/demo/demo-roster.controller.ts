import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Require } from '../../auth/auth-user.js';
import { Permission } from '../../auth/roles.js';
import { AppError } from '../../common/app-error.js';
import { AppConfig } from '../../config/app-config.js';
import { buildDemoPovertyRoster, DEMO_POVERTY_ROSTER_NAME } from './demo-poverty-roster.js';

/**
 * The demo district's poverty register (demo-poverty-roster.ts) as a CSV download, for the demo user
 * to upload on 数据比对 (the page links it while DEMO_DATA is on; otherwise it is not found). A page
 * route (the session cookie signs in), without the page context: it renders nothing.
 */
@ApiExcludeController()
@Controller('demo')
@Require(Permission.PovertyReconciliationsRun)
export class DemoRosterController {
  constructor(private readonly config: AppConfig) {}

  @Get('poverty-roster.csv')
  async povertyRoster(@Res() res: Response): Promise<void> {
    if (!this.config.demoData) {
      throw AppError.notFound('demo data');
    }
    const roster = buildDemoPovertyRoster();
    res.attachment(DEMO_POVERTY_ROSTER_NAME);
    await pipeline(Readable.from(roster.rows), stringify({ header: true, columns: roster.header, bom: true }), res);
  }
}
