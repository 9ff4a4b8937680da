import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, Like } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { chunk } from '../common/sql.js';
import { inTransaction } from '../database/transaction.js';
import { Campaign } from './campaign.entity.js';
import { levelDue } from './escalation-policy.js';
import { ItemFilingService } from './item-filing.service.js';
import { type Department, Item, type ItemCategory } from './item.entity.js';
import { ledgerActorOf, LedgerService } from './ledger.service.js';

/** One finding of a supervision group's batch (督导检查发现的问题), checked by the reader of the file. */
export interface Finding {
  category: ItemCategory;
  title: string;
  description: string | null;
  /** The responsible sub-district (its code). */
  regionCode: string;
  responsibleDept: Department;
  /** Null: the campaign's deadline. */
  deadline: string | null;
  /** The person the finding is about (对象身份证号), when the row names one. */
  personId: number | null;
}

/** Rows per multi-row INSERT (about 15 parameters each). */
const ITEMS_PER_INSERT = 300;

/**
 * Files a batch of findings as one: all items in one transaction with multi-row INSERTs, each with
 * the `created` entry a single filing writes (same payload), escalated at once when already due.
 * The rows are checked by the caller (imports/finding-rows.ts); the campaign is checked here.
 */
@Injectable()
export class ItemBatchFiling {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly ledger: LedgerService,
    private readonly filing: ItemFilingService,
  ) {}

  async file(user: AuthUser, campaignId: number, findings: readonly Finding[]): Promise<number[]> {
    const actor = ledgerActorOf(user);
    return inTransaction(this.db, async (em) => {
      const campaign = await em.findOneBy(Campaign, { id: campaignId });
      if (!campaign) {
        throw new AppError(ErrorCode.Invalid, `campaign ${campaignId} does not exist`, 'campaignId');
      }
      const today = this.clock.today();
      const values = findings.map((f) => ({
        campaignId: campaign.id,
        category: f.category,
        title: f.title,
        description: f.description,
        subjectType: f.personId === null ? null : ('person' as const),
        subjectId: f.personId,
        regionCode: f.regionCode,
        responsibleDept: f.responsibleDept,
        deadline: f.deadline ?? campaign.deadline,
        source: 'inspection' as const,
      }));
      // A batch key in openKey finds the new rows' ids in one query; it is cleared after, as a person's filing has none.
      const batch = `batch:${randomUUID()}:`;
      const rows = values.map((v, i) => ({
        ...v,
        escalationLevel: levelDue(v.deadline, campaign, today),
        createdById: user.id,
        openKey: `${batch}${i}`,
      }));
      for (const part of chunk(rows, ITEMS_PER_INSERT)) {
        await em.createQueryBuilder().insert().into(Item).values(part).updateEntity(false).execute();
      }
      const created = await em.find(Item, {
        select: { id: true, openKey: true },
        where: { openKey: Like(`${batch}%`) },
      });
      const ids = new Array<number>(rows.length);
      created.forEach((row) => (ids[Number(row.openKey!.slice(batch.length))] = row.id));
      await em.update(Item, { openKey: Like(`${batch}%`) }, { openKey: null });
      const at = this.clock.now().toISOString();
      await this.ledger.appendMany(
        em,
        values.map((payload, i) => ({ itemId: ids[i], type: 'created' as const, actor, at, payload })),
      );
      await this.filing.escalateFiled(
        em,
        rows.flatMap((r, i) => (r.escalationLevel > 0 ? [{ ...r, itemId: ids[i], level: r.escalationLevel }] : [])),
        at,
        today,
      );
      return ids;
    });
  }
}
