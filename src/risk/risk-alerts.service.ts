import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { DataSource, In, LessThanOrEqual } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { maskIdNumber } from '../common/id-number.js';
import type { Page } from '../common/pagination.js';
import { Item, type ItemStatus } from '../ledger/item.entity.js';
import { RISK_OUTCOMES, type RiskOutcome } from '../ledger/risk-outcomes.js';
import { Region } from '../regions/region.entity.js';
import type { AlertsQuery } from './dto/risk.dto.js';
import { type AlertKind, RiskAlert } from './risk-alert.entity.js';
import { type ThresholdsView, toThresholdsView, toYuan } from './risk-thresholds.service.js';
import { RiskThreshold } from './risk-threshold.entity.js';

export interface AlertView {
  id: number;
  year: number;
  kind: AlertKind;
  /** The registered person, or null for anyone else (who goes on the push list). */
  personId: number | null;
  householdId: number | null;
  /** Masked: 610102********1234. */
  idNumber: string;
  regionCode: string | null;
  regionName: string | null;
  /** 个人负担 and the threshold it reached (元). */
  burden: number;
  threshold: number;
  settlements: number;
  asOf: string;
  itemId: number | null;
  itemStatus: ItemStatus | null;
  outcome: RiskOutcome | null;
}

/** One stage count per sub-district (regionCode null: persons outside the register). */
export interface FunnelRow {
  regionCode: string | null;
  name: string;
  /** Persons with settlements in the year, and the settlement rows. */
  persons: number;
  settlements: number;
  alerts: number;
  items: number;
  /** Items closed with an outcome, and per outcome. */
  outcomes: number;
  byOutcome: Record<RiskOutcome, number>;
}

export interface Funnel {
  year: number;
  district: FunnelRow;
  byRegion: FunnelRow[];
}

export const OUTSIDE_REGISTER = '未建档人员';

const emptyOutcomes = (): Record<RiskOutcome, number> =>
  Object.fromEntries(RISK_OUTCOMES.map((o) => [o, 0])) as Record<RiskOutcome, number>;

/** The push list's columns: the full ID number (see README, 因病返贫致贫预警: the office must identify the person). */
const PUSH_COLUMNS: [string, number][] = [
  ['序号', 8],
  ['姓名', 12],
  ['身份证号', 22],
  ['年度', 8],
  ['个人负担（元）', 16],
  ['预警线（元）', 14],
  ['结算笔数', 10],
  ['预警日期', 14],
];

/** 风险预警 read side (SPEC §6.6): the alert list, the funnel by sub-district, the push list. */
@Injectable()
export class RiskAlertsService {
  private readonly logger = new Logger('RiskAlerts');

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(query: AlertsQuery): Promise<Page<AlertView> & { thresholds: ThresholdsView | null; funnel: Funnel }> {
    const [rows, total] = await this.db.getRepository(RiskAlert).findAndCount({
      where: { year: query.year },
      order: { burdenFen: 'DESC', id: 'ASC' },
      skip: query.offset,
      take: query.pageSize,
    });
    const itemIds = rows.flatMap((a) => (a.itemId === null ? [] : [a.itemId]));
    const items = new Map(
      (
        await this.db.getRepository(Item).find({
          select: { id: true, status: true, outcome: true },
          where: { id: In(itemIds) },
        })
      ).map((i) => [i.id, i]),
    );
    const names = await this.regionNames();
    const thresholds = await this.db.getRepository(RiskThreshold).findOneBy({ year: query.year });
    return {
      items: rows.map((a) => {
        const item = a.itemId === null ? undefined : items.get(a.itemId);
        return {
          id: a.id,
          year: a.year,
          kind: a.kind,
          personId: a.personId,
          householdId: a.householdId,
          idNumber: maskIdNumber(a.idNumber),
          regionCode: a.regionCode,
          regionName: a.regionCode ? (names.get(a.regionCode) ?? null) : null,
          burden: toYuan(a.burdenFen),
          threshold: toYuan(a.thresholdFen),
          settlements: a.settlements,
          asOf: a.asOf,
          itemId: a.itemId,
          itemStatus: item?.status ?? null,
          outcome: item?.status === 'closed' ? item.outcome : null,
        };
      }),
      total,
      page: query.page,
      pageSize: query.pageSize,
      thresholds: thresholds && toThresholdsView(thresholds),
      funnel: await this.funnel(query.year),
    };
  }

  /**
   * settlements → alerts → items → outcomes by sub-district, for the year: persons with settlements
   * (a registered person's sub-district is their household's), alerts, alerts with an item, and
   * items closed with each outcome. Four grouped queries.
   */
  async funnel(year: number): Promise<Funnel> {
    const mysql = this.db.options.type === 'mysql';
    const sub = mysql ? "CONCAT(SUBSTR(h.regionCode, 1, 9), '000')" : "SUBSTR(h.regionCode, 1, 9) || '000'";
    const settled = await this.db.query<{ regionCode: string | null; persons: string; settlements: string }[]>(
      `SELECT r.regionCode AS regionCode, COUNT(DISTINCT s.idNumber) AS persons, COUNT(*) AS settlements
       FROM settlements s LEFT JOIN (
         SELECT p.idNumber, ${sub} AS regionCode FROM persons p
         JOIN households h ON h.id = p.householdId AND h.status <> 'removed'
       ) r ON r.idNumber = s.idNumber
       WHERE s.year = ? GROUP BY r.regionCode`,
      [year],
    );
    const alerts = await this.db.query<{ regionCode: string | null; alerts: string; items: string }[]>(
      `SELECT regionCode, COUNT(*) AS alerts, COUNT(itemId) AS items FROM risk_alerts WHERE year = ? GROUP BY regionCode`,
      [year],
    );
    const outcomes = await this.db.query<{ regionCode: string | null; outcome: RiskOutcome; n: string }[]>(
      `SELECT a.regionCode AS regionCode, i.outcome AS outcome, COUNT(*) AS n FROM risk_alerts a
       JOIN items i ON i.id = a.itemId WHERE a.year = ? AND i.status = 'closed' AND i.outcome IS NOT NULL
       GROUP BY a.regionCode, i.outcome`,
      [year],
    );
    const names = await this.regionNames();
    const subdistricts = await this.db
      .getRepository(Region)
      .find({ where: { level: 'subdistrict' }, order: { code: 'ASC' } });
    const rows = new Map<string | null, FunnelRow>();
    const row = (regionCode: string | null): FunnelRow => {
      let r = rows.get(regionCode);
      if (!r) {
        r = {
          regionCode,
          name: regionCode === null ? OUTSIDE_REGISTER : (names.get(regionCode) ?? regionCode),
          persons: 0,
          settlements: 0,
          alerts: 0,
          items: 0,
          outcomes: 0,
          byOutcome: emptyOutcomes(),
        };
        rows.set(regionCode, r);
      }
      return r;
    };
    subdistricts.forEach((s) => row(s.code));
    row(null);
    for (const s of settled) {
      Object.assign(row(s.regionCode), { persons: Number(s.persons), settlements: Number(s.settlements) });
    }
    for (const a of alerts) {
      Object.assign(row(a.regionCode), { alerts: Number(a.alerts), items: Number(a.items) });
    }
    for (const o of outcomes) {
      const r = row(o.regionCode);
      r.byOutcome[o.outcome] = Number(o.n);
      r.outcomes += Number(o.n);
    }
    const byRegion = [...rows.values()];
    const district = byRegion.reduce<FunnelRow>(
      (sum, r) => {
        RISK_OUTCOMES.forEach((o) => (sum.byOutcome[o] += r.byOutcome[o]));
        return {
          ...sum,
          persons: sum.persons + r.persons,
          settlements: sum.settlements + r.settlements,
          alerts: sum.alerts + r.alerts,
          items: sum.items + r.items,
          outcomes: sum.outcomes + r.outcomes,
        };
      },
      {
        regionCode: null,
        name: '全区',
        persons: 0,
        settlements: 0,
        alerts: 0,
        items: 0,
        outcomes: 0,
        byOutcome: emptyOutcomes(),
      },
    );
    return { year, district, byRegion };
  }

  /**
   * 推送名单: the year's alerts of persons outside the register, as XLSX for the rural-revitalisation
   * office, with full ID numbers (they must find the person); the download is logged (who, year, rows).
   */
  async writePushList(user: AuthUser, year: number, out: Writable): Promise<void> {
    const alerts = await this.db.getRepository(RiskAlert).find({
      where: { year, kind: 'other' },
      order: { burdenFen: 'DESC', id: 'ASC' },
    });
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
    const sheet = workbook.addWorksheet(`${year}年度推送名单`, { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = PUSH_COLUMNS.map(([header, width]) => ({ header, width }));
    alerts.forEach((a, i) =>
      sheet
        .addRow([i + 1, a.name, a.idNumber, a.year, toYuan(a.burdenFen), toYuan(a.thresholdFen), a.settlements, a.asOf])
        .commit(),
    );
    sheet.commit();
    await workbook.commit();
    this.logger.log(`push list ${year} (${alerts.length} persons) downloaded by ${user.username} (#${user.id})`);
  }

  /** The latest year up to `upTo` with thresholds (the 工作台's and the bulletin's funnel), or null before any are set. */
  async latestYear(upTo: number): Promise<number | null> {
    const [row] = await this.db.getRepository(RiskThreshold).find({
      select: { year: true },
      where: { year: LessThanOrEqual(upTo) },
      order: { year: 'DESC' },
      take: 1,
    });
    return row?.year ?? null;
  }

  private async regionNames(): Promise<Map<string, string>> {
    const regions = await this.db.getRepository(Region).find({ select: { code: true, name: true } });
    return new Map(regions.map((r) => [r.code, r.name]));
  }
}
