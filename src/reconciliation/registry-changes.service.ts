import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import type { Page, PageQuery } from '../common/pagination.js';
import { HouseholdsService } from '../households/households.service.js';
import { Person } from '../households/person.entity.js';
import { RegistryChange, type RegistryChangeKind } from './registry-change.entity.js';

/** A change the poverty register made to a household (写入登记信息), as its page and API show it. */
export interface HouseholdRegistryChange {
  id: number;
  /** The reconciliation (数据比对) whose apply wrote it. */
  reconciliationId: number;
  change: RegistryChangeKind;
  /** `out`: a member who moved from this household to another (then `after` is the other's 户编号); `in` otherwise. */
  direction: 'in' | 'out';
  personId: number | null;
  personName: string | null;
  /** Codes: a status, or a household's 户编号 for a move; null before an addition. */
  before: string | null;
  after: string;
  changedById: number;
  /** Null for changes written before names were kept. */
  changedByName: string | null;
  changedAt: Date;
}

/** The registry changes of one household, for a caller who may see the household (404 otherwise, as for the household). */
@Injectable()
export class RegistryChangesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly households: HouseholdsService,
  ) {}

  /** Newest first: the household's own changes and its members' moves, in or out. */
  async ofHousehold(user: AuthUser, householdId: number, query: PageQuery): Promise<Page<HouseholdRegistryChange>> {
    await this.households.findInScope(this.db.manager, user, householdId);
    const [rows, total] = await this.db.getRepository(RegistryChange).findAndCount({
      where: [{ householdId }, { fromHouseholdId: householdId }],
      order: { id: 'DESC' },
      skip: query.offset,
      take: query.pageSize,
    });
    const personIds = [...new Set(rows.map((r) => r.personId).filter((id): id is number => id !== null))];
    const names = new Map(
      personIds.length === 0
        ? []
        : (
            await this.db.getRepository(Person).find({ select: { id: true, name: true }, where: { id: In(personIds) } })
          ).map((p) => [p.id, p.name]),
    );
    return {
      items: rows.map((r) => ({
        id: r.id,
        reconciliationId: r.reconciliationId,
        change: r.change,
        direction: r.fromHouseholdId === householdId && r.householdId !== householdId ? 'out' : 'in',
        personId: r.personId,
        personName: r.personId === null ? null : (names.get(r.personId) ?? null),
        before: r.before,
        after: r.after,
        changedById: r.changedById,
        changedByName: r.changedByName,
        changedAt: r.changedAt,
      })),
      total,
      page: query.page,
      pageSize: query.pageSize,
    };
  }
}
