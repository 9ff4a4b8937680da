import { Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { dateText } from '../common/dates.js';
import { maskIdNumber } from '../common/id-number.js';
import { daysBetweenSql } from '../common/sql.js';
import { inTransaction } from '../database/transaction.js';
import { ContractsService } from '../health/contracts.service.js';
import { treatmentStartedSql } from '../health/treatment-rules.js';
import { Campaign } from '../ledger/campaign.entity.js';
import { insuranceGapKey, legacyInsuranceGapKeys } from '../ledger/gap-keys.js';
import { ItemsService, type NewItem, type PlannedItem } from '../ledger/items.service.js';
import { ledgerActorOf } from '../ledger/ledger.service.js';
import { CHECK_RULE_LABELS, CHECK_RULES, type CheckRule, RULE_ITEM } from './check-rules.js';
import { CheckRuns } from './check-runs.service.js';

/** A person a rule finds, and where they live; nothing of their name or diagnosis goes into the item. */
interface Finding {
  personId: number | string;
  regionCode: string;
}

export interface ChecksResult {
  /** The run's record in the history (check_runs). */
  runId: number;
  campaignId: number;
  asOf: string;
  /** Counted what it would open and wrote nothing (but the run's record). */
  dryRun: boolean;
  /** Gaps found per rule, whether or not an item was open for them already. */
  found: Record<CheckRule, number>;
  /** Items opened now per rule (a dry run: that it would open): a gap that already has an open item opens nothing. */
  opened: Record<CheckRule, number>;
  /** A dry run's first items as they would be filed, in rule order (the subject's ID number masked). */
  preview: PreviewRow[];
}

export interface PreviewRow {
  rule: CheckRule;
  title: string;
  subjectId: number | null;
  /** The person's ID number, masked (610102********1234). */
  subject: string | null;
  regionCode: string;
  deadline: string;
  escalationLevel: number;
}

/** Items a dry run shows one by one; the counts cover them all. */
export const PREVIEW_ROWS = 20;

/**
 * 查漏补缺: one set-based query per rule over the health records as of a day, then the findings are
 * filed as items (source `check`) in one transaction; at most one open item per rule and person. A
 * dry run takes the same path up to the filing, which it only plans (ItemsService.planMany: the
 * same sorting of held and fresh gaps), so its counts are those a real run would give. Each run is
 * recorded (CheckRuns).
 */
@Injectable()
export class ChecksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly contracts: ContractsService,
    private readonly items: ItemsService,
    private readonly runs: CheckRuns,
  ) {}

  async run(user: AuthUser, campaignId: number, asOf = this.clock.today(), dryRun = false): Promise<ChecksResult> {
    const campaign = await this.db.getRepository(Campaign).findOneBy({ id: campaignId });
    if (!campaign) {
      throw new AppError(ErrorCode.Invalid, `campaign ${campaignId} does not exist`, 'campaignId');
    }
    const started = performance.now();
    const runId = await this.runs.start({ campaignId, asOf, startedBy: user.id, dryRun });
    try {
      const items = await this.gaps(campaign, asOf);
      let opened: Record<CheckRule, number>;
      let preview: PreviewRow[] = [];
      if (dryRun) {
        const planned = await Promise.all(CHECK_RULES.map((rule) => this.items.planMany(this.db.manager, items[rule])));
        opened = perRule((rule) => planned[CHECK_RULES.indexOf(rule)].length);
        preview = await this.previewOf(
          CHECK_RULES.flatMap((rule, i) => planned[i].map((item) => ({ rule, item }))).slice(0, PREVIEW_ROWS),
        );
      } else {
        const actor = ledgerActorOf(user);
        opened = await inTransaction(this.db, async (em) => {
          const result = {} as Record<CheckRule, number>;
          for (const rule of CHECK_RULES) {
            result[rule] = await this.items.createMany(em, items[rule], actor);
          }
          return result;
        });
      }
      const found = perRule((rule) => items[rule].length);
      await this.runs.finish(
        runId,
        perRule((rule) => ({ found: found[rule], opened: opened[rule] })),
        Math.round(performance.now() - started),
      );
      return { runId, campaignId, asOf, dryRun, found, opened, preview };
    } catch (error) {
      await this.runs.fail(runId, Math.round(performance.now() - started), error);
      throw error;
    }
  }

  /** The items each rule would file for the gaps it finds on asOf (one per person and rule). */
  private async gaps(campaign: Campaign, asOf: string): Promise<Record<CheckRule, NewItem[]>> {
    const year = Number(asOf.slice(0, 4));
    const findings = await Promise.all(CHECK_RULES.map((rule) => this.find(rule, asOf, campaign.treatmentStartDays)));
    return perRule((rule) => {
      const description = `查漏补缺规则「${CHECK_RULE_LABELS[rule]}」，按${dateText(asOf)}的记录检出。`;
      return findings[CHECK_RULES.indexOf(rule)].map((f) => ({
        campaignId: campaign.id,
        category: RULE_ITEM[rule].category,
        responsibleDept: RULE_ITEM[rule].dept,
        title: RULE_ITEM[rule].title(year),
        description,
        subjectType: 'person' as const,
        subjectId: Number(f.personId),
        regionCode: f.regionCode,
        source: 'check' as const,
        finder: `check:${rule}`,
        finderNote: description,
        ...this.keysOf(rule, Number(f.personId), year),
      }));
    });
  }

  /** The dry run's rows, each person's ID number masked. */
  private async previewOf(rows: { rule: CheckRule; item: PlannedItem }[]): Promise<PreviewRow[]> {
    const ids = rows.map((r) => r.item.subjectId).filter((id): id is number => id !== null);
    const persons =
      ids.length === 0
        ? []
        : await this.db
            .createQueryBuilder()
            .from('persons', 'p')
            .select('p.id', 'id')
            .addSelect('p.idNumber', 'idNumber')
            .where('p.id IN (:...ids)', { ids })
            .getRawMany<{ id: number | string; idNumber: string }>();
    const idNumberOf = new Map(persons.map((p) => [Number(p.id), p.idNumber]));
    return rows.map(({ rule, item }) => {
      const idNumber = item.subjectId === null ? undefined : idNumberOf.get(item.subjectId);
      return {
        rule,
        title: item.title,
        subjectId: item.subjectId,
        subject: idNumber ? maskIdNumber(idNumber) : null,
        regionCode: item.regionCode,
        deadline: item.deadline,
        escalationLevel: item.escalationLevel,
      };
    });
  }

  /** The gap's key: a missing enrollment is the same gap as a reconciliation's registered_not_insured. */
  private keysOf(rule: CheckRule, personId: number, year: number): Pick<NewItem, 'dedupeKey' | 'aliasKeys'> {
    return rule === 'not_insured'
      ? { dedupeKey: insuranceGapKey(personId, year), aliasKeys: legacyInsuranceGapKeys(personId, year) }
      : { dedupeKey: `${rule}:person:${personId}` };
  }

  /** The persons a rule finds on `asOf`; a major disease may wait `treatmentStartDays` for treatment. */
  private async find(rule: CheckRule, asOf: string, treatmentStartDays: number): Promise<Finding[]> {
    const year = Number(asOf.slice(0, 4));
    switch (rule) {
      case 'chronic_without_contract':
        // A condition of a contract-priority disease that no contract valid on asOf covers.
        return this.persons('conditions', 'c', 'c.personId')
          .innerJoin('diseases', 'd', 'd.code = c.diseaseCode AND d.contractPriority = :yes', { yes: true })
          .where('c.diagnosedOn <= :asOf', { asOf })
          .andWhere(
            `NOT EXISTS (SELECT 1 FROM contracts k INNER JOIN contract_diseases kd ON kd.contractId = k.id
              WHERE k.personId = c.personId AND kd.diseaseCode = c.diseaseCode AND k.signedOn <= :asOf AND COALESCE(k.endedOn, k.validUntil) >= :asOf)`,
          )
          .getRawMany<Finding>();
      case 'contract_followups_short':
        return this.contracts
          .whereStatus(
            this.persons('contracts', 'c', 'c.personId').where('c.signedOn <= :asOf', { asOf }),
            'noncompliant',
            asOf,
          )
          .getRawMany<Finding>();
      case 'not_insured':
        return this.persons('persons', 'x', 'x.id')
          .where(
            'NOT EXISTS (SELECT 1 FROM insurance_enrollments e WHERE e.personId = x.id AND e.year = :year AND e.enrolled = :yes)',
            { year, yes: true },
          )
          .getRawMany<Finding>();
      case 'major_disease_untreated':
        // treatmentOverdue() (health/treatment-rules.ts) in SQL.
        return this.persons('conditions', 'c', 'c.personId')
          .innerJoin('diseases', 'd', "d.code = c.diseaseCode AND d.kind = 'major'")
          .where("c.treatmentStatus NOT IN ('declined', 'deceased')")
          .andWhere(`${treatmentStartedSql('c', ':asOf')} = 0`, { asOf })
          .andWhere(
            `${daysBetweenSql(this.db.options.type, 'COALESCE(c.confirmedOn, c.diagnosedOn)', ':asOf')} > :startDays`,
            {
              startDays: treatmentStartDays,
            },
          )
          .getRawMany<Finding>();
    }
  }

  /** Rows of `table` grouped by person: active members of households that are not removed. */
  private persons(table: string, alias: string, personColumn: string): SelectQueryBuilder<object> {
    return this.db
      .createQueryBuilder()
      .from(table, alias)
      .innerJoin('persons', 'p', `p.id = ${personColumn} AND p.status = 'active'`)
      .innerJoin('households', 'h', "h.id = p.householdId AND h.status <> 'removed'")
      .select('p.id', 'personId')
      .addSelect('h.regionCode', 'regionCode')
      .groupBy('p.id')
      .addGroupBy('h.regionCode')
      .orderBy('p.id');
  }
}

/** A record with a value for each rule, in CHECK_RULES' order. */
function perRule<T>(value: (rule: CheckRule) => T): Record<CheckRule, T> {
  return Object.fromEntries(CHECK_RULES.map((rule) => [rule, value(rule)])) as Record<CheckRule, T>;
}
