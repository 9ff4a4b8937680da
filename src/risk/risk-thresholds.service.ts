import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import type { ThresholdsDto } from './dto/risk.dto.js';
import { RiskThreshold } from './risk-threshold.entity.js';

/** A year's thresholds as the API shows them: income in 元, ratios, and the two thresholds in 元. */
export interface ThresholdsView {
  year: number;
  ruralIncome: number;
  registeredRatio: number;
  otherRatio: number;
  /** 建档立卡人员 reach it at this burden (元). */
  registeredThreshold: number;
  otherThreshold: number;
  updatedAt: Date;
}

/** The burden (fen) at which a ratio (basis points) of the income (fen) is reached: burden ≥ ratio × income, to the fen. */
export function thresholdFen(incomeFen: number, ratioBp: number): number {
  return Math.ceil((incomeFen * ratioBp) / 10_000);
}

export const toYuan = (fen: number): number => fen / 100;

export function toThresholdsView(t: RiskThreshold): ThresholdsView {
  return {
    year: t.year,
    ruralIncome: toYuan(t.ruralIncomeFen),
    registeredRatio: t.registeredRatioBp / 10_000,
    otherRatio: t.otherRatioBp / 10_000,
    registeredThreshold: toYuan(thresholdFen(t.ruralIncomeFen, t.registeredRatioBp)),
    otherThreshold: toYuan(thresholdFen(t.ruralIncomeFen, t.otherRatioBp)),
    updatedAt: t.updatedAt,
  };
}

/** 预警阈值 per year (SPEC §6.6), set by an admin. */
@Injectable()
export class RiskThresholdsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(): Promise<ThresholdsView[]> {
    const rows = await this.db.getRepository(RiskThreshold).find({ order: { year: 'DESC' } });
    return rows.map(toThresholdsView);
  }

  find(year: number): Promise<RiskThreshold | null> {
    return this.db.getRepository(RiskThreshold).findOneBy({ year });
  }

  /** Sets the year's thresholds (creating or replacing them); one upsert. */
  async set(user: AuthUser, year: number, dto: ThresholdsDto): Promise<ThresholdsView> {
    const row = {
      year,
      ruralIncomeFen: Math.round(dto.ruralIncome * 100),
      registeredRatioBp: Math.round(dto.registeredRatio * 10_000),
      otherRatioBp: Math.round(dto.otherRatio * 10_000),
      updatedById: user.id,
    };
    await this.db.getRepository(RiskThreshold).upsert(row, ['year']);
    return toThresholdsView(await this.db.getRepository(RiskThreshold).findOneByOrFail({ year }));
  }
}
