import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { Clock } from '../common/clock.js';
import { dateText } from '../common/dates.js';
import { inTransaction } from '../database/transaction.js';
import { type ContractView, ContractsService } from '../health/contracts.service.js';
import type { CreateFollowUpDto } from '../health/dto/health.dto.js';
import { FollowUpsService } from '../health/follow-ups.service.js';
import { Item } from './item.entity.js';
import { LedgerService, ledgerActorOf } from './ledger.service.js';

/**
 * 随访登记 with its consequence for the ledger: a follow-up reporting the person's death (`died`)
 * leaves a progress note on every item about that person not yet closed, in the same transaction.
 */
@Injectable()
export class FollowUpFilingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly followUps: FollowUpsService,
    private readonly contracts: ContractsService,
    private readonly ledger: LedgerService,
  ) {}

  async record(user: AuthUser, contractId: number, dto: CreateFollowUpDto): Promise<ContractView> {
    await inTransaction(this.db, async (em) => {
      const recorded = await this.followUps.record(em, user, contractId, dto);
      if (!recorded.died) {
        return;
      }
      const items = await em
        .createQueryBuilder(Item, 'i')
        .select('i.id', 'id')
        .where("i.subjectType = 'person' AND i.subjectId = :personId AND i.status <> 'closed'", {
          personId: recorded.personId,
        })
        .orderBy('i.id')
        .getRawMany<{ id: number }>();
      const at = this.clock.now().toISOString();
      const note = `随访登记：本人已于${dateText(recorded.visitedOn)}死亡，家庭医生签约随之终止，人员状态改为已故。`;
      await this.ledger.appendMany(
        em,
        items.map(({ id }) => ({
          itemId: Number(id),
          type: 'progress' as const,
          actor: ledgerActorOf(user),
          at,
          note,
          payload: { followUpResult: 'died', contractId },
        })),
      );
    });
    return this.contracts.get(user, contractId);
  }
}
