import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createHmac } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { inTransaction } from '../database/transaction.js';
import { Campaign } from '../ledger/campaign.entity.js';
import { ItemsService, type NewItem } from '../ledger/items.service.js';
import { ledgerActorOf } from '../ledger/ledger.service.js';
import { Region } from '../regions/region.entity.js';
import { Discrepancy } from './discrepancy.entity.js';
import { itemOfDiscrepancy } from './discrepancy-items.js';
import type { CreateItemsDto } from './dto/reconciliation.dto.js';
import { KINDS_OF_SOURCE } from './reconciliation-source.js';
import { ReconciliationService } from './reconciliation.service.js';

/** 生成整改问题: a finished reconciliation's discrepancies filed as remediation items. */
@Injectable()
export class DiscrepancyItemsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly reconciliations: ReconciliationService,
    private readonly items: ItemsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Files the chosen discrepancies — of the chosen kinds, or the chosen rows (`ids`), or the chosen
   * rows of those kinds — as remediation items (source `reconciliation`; insurance: category and
   * department `insurance`, poverty: category `data`, department `health`), idempotently: at most
   * one open item per gap, whichever source filed it (discrepancy-items.ts). A registered person's
   * item goes to their household's sub-district; one without a registered person to `regionCode`,
   * or is skipped without it. A chosen row that is not this reconciliation's is a 400 naming `ids`.
   */
  async createItems(user: AuthUser, id: number, dto: CreateItemsDto): Promise<{ created: number; skipped: number }> {
    const rec = await this.reconciliations.findDone(id, user);
    const ofSource = KINDS_OF_SOURCE[rec.source];
    const foreign = (dto.kinds ?? []).filter((k) => !ofSource.includes(k));
    if (foreign.length > 0) {
      throw new AppError(
        ErrorCode.Invalid,
        `kinds: ${foreign.join(', ')} is not a kind of the ${rec.source} roster (${ofSource.join(', ')})`,
        'kinds',
      );
    }
    if (dto.ids) {
      const known = new Set(
        (
          await this.db.getRepository(Discrepancy).find({
            select: { id: true },
            where: { reconciliationId: id, id: In(dto.ids) },
          })
        ).map((d) => d.id),
      );
      const unknown = dto.ids.filter((d) => !known.has(d));
      if (unknown.length > 0) {
        throw new AppError(
          ErrorCode.Invalid,
          `ids: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ' …' : ''} not discrepancies of reconciliation ${id}`,
          'ids',
        );
      }
    }
    if (!(await this.db.getRepository(Campaign).existsBy({ id: dto.campaignId }))) {
      throw new AppError(ErrorCode.Invalid, `campaign ${dto.campaignId} does not exist`, 'campaignId');
    }
    if (
      dto.regionCode &&
      !(await this.db.getRepository(Region).existsBy({ code: dto.regionCode, level: 'subdistrict' }))
    ) {
      throw new AppError(ErrorCode.Invalid, `regionCode ${dto.regionCode} is not a known sub-district`, 'regionCode');
    }
    const actor = ledgerActorOf(user);
    const thisYear = this.clock.year();
    let created = 0;
    let skipped = 0;
    for await (const batch of this.reconciliations.discrepancies(id, dto.kinds ?? ofSource, dto.ids)) {
      const items: NewItem[] = [];
      for (const d of batch) {
        const regionCode = d.regionCode ?? dto.regionCode;
        if (!regionCode) {
          skipped++;
          continue;
        }
        items.push(itemOfDiscrepancy(rec, d, dto.campaignId, regionCode, (n) => this.digest(n), thisYear));
      }
      if (items.length > 0) {
        created += await inTransaction(this.db, (em) => this.items.createMany(em, items, actor));
      }
    }
    return { created, skipped };
  }

  /** An unregistered ID number in a dedupe key: keyed (items show their key), so it cannot be read back. */
  private digest(idNumber: string): string {
    return createHmac('sha256', this.config.JWT_SECRET).update(idNumber).digest('hex').slice(0, 32);
  }
}
