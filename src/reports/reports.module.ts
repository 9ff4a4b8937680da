import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller.js';
import { StatsService } from './stats.service.js';

/** Figures for the leadership: the overview now, bulletins later. */
@Module({ controllers: [ReportsController], providers: [StatsService], exports: [StatsService] })
export class ReportsModule {}
