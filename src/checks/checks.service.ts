import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { dateText } from '../common/dates.js';
import { daysBetweenSql } from '../common/sql.js';
import { inTransaction } from '../database/transaction.js';
import { ContractsService } from '../health/contracts.service.js';
import { treatmentStartedSql } from '../health/treatment-rules.js';
import { Campaign } from '../ledger/campaign.entity.js';
import { insuranceGapKey, legacyInsuranceGapKeys } from '../ledger/gap-keys.js';
import { ItemsService, type NewItem } from '../ledger/items.service.js';
import { ledgerActorOf } from '../ledger/ledger.service.js';
import { CHECK_RULE_LABELS, CHECK_RULES, type CheckRule, RULE_ITEM } from './check-rules.js';

/** A person a rule finds, and where they live; nothing of their name or diagnosis goes into the item. */
interface Finding {
  personId: number | string;
  regionCode: string;
}

export interface ChecksResult {
  campaignId: number;
  asOf: string;
  /** Gaps found per rule, whether or not an item was open for them already. */
  found: Record<CheckRule, number>;
  /** Items opened now per rule: a gap that already has an open item opens nothing. */
  opened: Record<CheckRule, number>;
}

/**
 * 查漏补缺: one set-based query per rule over the health records as of a day, then the findings are
 * filed as items (source `check`) in one transaction; at most one open item per rule and person.
 */
@Injectable()
export class ChecksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly contracts: ContractsService,
    private readonly items: ItemsService,
  ) {}

  async run(user: AuthUser, campaignId: number, asOf = this.clock.today()): Promise<ChecksResult> {
    const campaign = await this.db.getRepository(Campaign).findOneBy({ id: campaignId });
    if (!campaign) {
      throw new AppError(ErrorCode.Invalid, `campaign ${campaignId} does not exist`, 'campaignId');
    }
    const findings = Object.fromEntries(
      await Promise.all(
        CHECK_RULES.map(async (rule) => [rule, await this.find(rule, asOf, campaign.treatmentStartDays)] as const),
      ),
    ) as Record<CheckRule, Finding[]>;
    const actor = ledgerActorOf(user);
    const year = Number(asOf.slice(0, 4));
    const opened = await inTransaction(this.db, async (em) => {
      const result = {} as Record<CheckRule, number>;
      for (const rule of CHECK_RULES) {
        const description = `查漏补缺规则「${CHECK_RULE_LABELS[rule]}」，按${dateText(asOf)}的记录检出。`;
        const items: NewItem[] = findings[rule].map((f) => ({
          campaignId,
          category: RULE_ITEM[rule].category,
          responsibleDept: RULE_ITEM[rule].dept,
          title: RULE_ITEM[rule].title(year),
          description,
          subjectType: 'person',
          subjectId: Number(f.personId),
          regionCode: f.regionCode,
          source: 'check',
          finder: `check:${rule}`,
          finderNote: description,
          ...this.keysOf(rule, Number(f.personId), year),
        }));
        result[rule] = await this.items.createMany(em, items, actor);
      }
      return result;
    });
    const found = Object.fromEntries(CHECK_RULES.map((r) => [r, findings[r].length])) as Record<CheckRule, number>;
    return { campaignId, asOf, found, opened };
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
