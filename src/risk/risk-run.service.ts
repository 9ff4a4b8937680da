import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { addDays } from '../common/dates.js';
import { maskIdNumber } from '../common/id-number.js';
import { chunk } from '../common/sql.js';
import { inTransaction } from '../database/transaction.js';
import { Campaign } from '../ledger/campaign.entity.js';
import type { NewItem } from '../ledger/item-filing.service.js';
import { Item } from '../ledger/item.entity.js';
import { ItemsService } from '../ledger/items.service.js';
import { type LedgerActor, SYSTEM_ACTOR } from '../ledger/ledger.service.js';
import { alertInsertSql } from './risk-alert-sql.js';
import { RiskAlert } from './risk-alert.entity.js';
import { RiskThreshold } from './risk-threshold.entity.js';
import { thresholdFen, toYuan } from './risk-thresholds.service.js';

/** Days a risk alert's item has from the run that opened it (SPEC §6.6). */
export const RISK_ITEM_DAYS = 15;

export interface RiskRunResult {
  year: number;
  asOf: string;
  /** Alerts this run added (an alert raised before is not raised again). */
  alerts: number;
  /** The year's alerts after the run: registered persons', everyone else's. */
  registered: number;
  unregistered: number;
  /** Items opened for registered persons' alerts. */
  items: number;
}

/** The campaign the year's risk items are filed in (made by the first run that files one). */
export const riskCampaignName = (year: number): string => `因病返贫致贫风险预警（${year}年度）`;

/** The gap an alert's item is for: one per registered person, year and threshold. */
export const riskGapKey = (alert: Pick<RiskAlert, 'year' | 'kind' | 'personId'>): string =>
  `risk_alert:${alert.year}:${alert.kind}:person:${alert.personId}`;

const yuanText = (fen: number): string => toYuan(fen).toFixed(2);

/**
 * The risk run (SPEC §6.6): in one transaction per year — which holds the year's thresholds row
 * locked on MySQL, so two runs of a year take turns (SQLite's transactions always do) — the alerts
 * are written set-based (alertInsertSql), then every registered person's alert without an item gets
 * one (category treatment, source risk_alert, responsible health, deadline asOf + 15 days) through
 * the ledger's bulk filing, its `created` entry like any other item's. Idempotent: a second run, or
 * one beside it, finds the alerts and their items there.
 */
@Injectable()
export class RiskRunService {
  private readonly logger = new Logger('RiskRun');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly items: ItemsService,
  ) {}

  /** Today in APP_TIMEZONE (the year of the scheduled run). */
  today(): string {
    return this.clock.today();
  }

  async run(input: { year: number; asOf?: string }, actor: LedgerActor = SYSTEM_ACTOR): Promise<RiskRunResult> {
    const asOf = input.asOf ?? this.clock.today();
    const { year } = input;
    if (Number(asOf.slice(0, 4)) < year) {
      throw new AppError(ErrorCode.Invalid, `asOf ${asOf} is before the year ${year} began`, 'asOf');
    }
    const started = Date.now();
    const result = await inTransaction(this.db, async (em) => {
      const thresholds = await this.lockThresholds(em, year);
      const registeredT = thresholdFen(thresholds.ruralIncomeFen, thresholds.registeredRatioBp);
      const otherT = thresholdFen(thresholds.ruralIncomeFen, thresholds.otherRatioBp);
      const inserted = await em.queryRunner!.query(
        alertInsertSql(this.db),
        [year, year, otherT, registeredT, asOf, year, asOf, Math.min(registeredT, otherT), otherT, registeredT],
        true,
      );
      const added = Number(inserted.affected ?? 0);
      const filed = await this.fileItems(em, year, asOf, actor, thresholds);
      const kinds = await em
        .createQueryBuilder(RiskAlert, 'a')
        .select('a.kind', 'kind')
        .addSelect('COUNT(*)', 'n')
        .where('a.year = :year', { year })
        .groupBy('a.kind')
        .getRawMany<{ kind: string; n: number | string }>();
      const count = (kind: string) => Number(kinds.find((k) => k.kind === kind)?.n ?? 0);
      return { year, asOf, alerts: added, registered: count('registered'), unregistered: count('other'), items: filed };
    });
    this.logger.log(
      `risk run ${year} as of ${asOf}: ${result.alerts} new alerts, ${result.items} items in ${Date.now() - started} ms`,
    );
    return result;
  }

  /** The year's thresholds, locked for this transaction on MySQL; 409 naming what is missing without them. */
  private async lockThresholds(em: EntityManager, year: number): Promise<RiskThreshold> {
    const qb = em.getRepository(RiskThreshold).createQueryBuilder('t').where('t.year = :year', { year });
    if (this.db.options.type === 'mysql') {
      qb.setLock('pessimistic_write');
    }
    const row = await qb.getOne();
    if (!row) {
      throw new AppError(
        ErrorCode.InvalidTransition,
        `no thresholds for ${year}: set ruralIncome, registeredRatio and otherRatio first (PUT /api/risk/thresholds/${year})`,
        'thresholds',
      );
    }
    return row;
  }

  /** Opens an item for each registered person's alert of the year that has none; answers how many. */
  private async fileItems(
    em: EntityManager,
    year: number,
    asOf: string,
    actor: LedgerActor,
    thresholds: RiskThreshold,
  ): Promise<number> {
    const alerts = await em.find(RiskAlert, { where: { year, kind: 'registered', itemId: IsNull() } });
    if (alerts.length === 0) {
      return 0;
    }
    const campaignId = await this.campaignOf(em, year);
    const ratio = `${(thresholds.registeredRatioBp / 100).toFixed(2).replace(/\.?0+$/, '')}%`;
    const deadline = addDays(asOf, RISK_ITEM_DAYS);
    const items: NewItem[] = alerts.map((a) => ({
      campaignId,
      category: 'treatment',
      title: `因病返贫致贫风险预警（${year}年度）`,
      description:
        `${year}年医疗费用个人负担 ${yuanText(a.burdenFen)} 元（${a.settlements} 笔结算，截至 ${asOf}），` +
        `达到预警线 ${yuanText(a.thresholdFen)} 元（上年农村居民人均可支配收入 ${yuanText(thresholds.ruralIncomeFen)} 元 × ${ratio}）。` +
        `身份证号 ${maskIdNumber(a.idNumber)}。请入户核实并登记核实结果。`,
      subjectType: 'person',
      subjectId: a.personId,
      regionCode: a.regionCode!,
      responsibleDept: 'health',
      deadline,
      source: 'risk_alert',
      dedupeKey: riskGapKey(a),
    }));
    const filed = await this.items.createMany(em, items, actor);
    const idOf = new Map<string, number>();
    for (const keys of chunk(
      items.map((i) => i.dedupeKey),
      500,
    )) {
      const rows = await em.find(Item, { select: { id: true, openKey: true }, where: { openKey: In(keys) } });
      rows.forEach((r) => idOf.set(r.openKey!, r.id));
    }
    for (const part of chunk(alerts, 500)) {
      const linked = part.filter((a) => idOf.has(riskGapKey(a)));
      if (linked.length === 0) {
        continue;
      }
      const cases = linked.map(() => 'WHEN ? THEN ?').join(' ');
      await em.query(
        `UPDATE risk_alerts SET itemId = CASE id ${cases} END WHERE id IN (${linked.map(() => '?').join(', ')})`,
        [...linked.flatMap((a) => [a.id, idOf.get(riskGapKey(a))!]), ...linked.map((a) => a.id)],
      );
    }
    return filed;
  }

  /** The year's risk campaign: found by name and year, or made (reviewed closes with evidence, as the default). */
  private async campaignOf(em: EntityManager, year: number): Promise<number> {
    const name = riskCampaignName(year);
    const found = await em.findOne(Campaign, { select: { id: true }, where: { name, year } });
    if (found) {
      return found.id;
    }
    const result = await em.insert(Campaign, { name, year, deadline: `${year + 1}-05-31` });
    return (result.identifiers[0] as { id: number }).id;
  }
}
