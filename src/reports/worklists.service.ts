import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { scopePrefixOf } from '../auth/region-scope.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { AppError } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { addDays, daysBetween } from '../common/dates.js';
import { maskIdNumber } from '../common/id-number.js';
import type { Page } from '../common/pagination.js';
import { actsOnDepartment } from '../ledger/item-policy.js';
import { DEPARTMENTS } from '../ledger/item.entity.js';
import { regionPrefix, subdistrictOf } from '../regions/region-codes.js';
import { IndicatorsService } from './indicators.service.js';
import {
  CONTRACT_EXPIRING_DAYS,
  FOLLOW_UP_DUE_DAYS,
  isWorklistKind,
  WORKLIST_DEFINITIONS,
  WORKLIST_KINDS,
  type WorklistKind,
  type WorklistSort,
} from './worklist-kinds.js';
import { byRegionSql, countSql, pageSql, type WorklistSql, worklistSql } from './worklist-sql.js';

/** One row of a working list: who, where, and the date that makes it due. */
export interface WorklistRow {
  /** The contract, condition, person or item the row is about. */
  refId: number;
  detail: string;
  /** ID number masked (SPEC §2); null for an item without a person. */
  person: { id: number; name: string; idNumber: string } | null;
  household: { id: number; registryNo: string } | null;
  village: { code: string; name: string } | null;
  street: { code: string; name: string | null };
  dueOn: string;
  /** asOf − dueOn in days: positive when late, negative for the days left. */
  daysLate: number;
}

export interface WorklistPage extends Page<WorklistRow> {
  kind: WorklistKind;
  asOf: string;
}

export interface WorklistRequest {
  regionCode?: string;
  asOf?: string;
  sort?: WorklistSort;
}

export interface Todo {
  lists: { kind: WorklistKind; name: string; count: number }[];
  items: (WorklistRow & { daysLeft: number; late: boolean })[];
}

interface RawRow {
  refId: number | string;
  detail: string | null;
  personId: number | string | null;
  personName: string | null;
  idNumber: string | null;
  householdId: number | string | null;
  registryNo: string | null;
  regionCode: string;
  streetCode: string;
  dueOn: string;
  villageName: string | null;
  streetName: string | null;
}

/**
 * 工作清单 (SPEC §6.3): what is due, per role, as of a day. Each list is one set-based query per page
 * and one count, scoped like every list: an officer's stays within their sub-district whatever
 * `regionCode` asks for (a village of theirs narrows it).
 */
@Injectable()
export class WorklistsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly indicators: IndicatorsService,
  ) {}

  /** The kind named in a URL, or 404. */
  kindOf(kind: string): WorklistKind {
    if (!isWorklistKind(kind)) {
      throw AppError.notFound('working list');
    }
    return kind;
  }

  async page(
    user: AuthUser,
    kind: WorklistKind,
    request: WorklistRequest,
    page = 1,
    pageSize = 20,
  ): Promise<WorklistPage> {
    const { sql, params, asOf } = this.prepare(user, kind, request);
    const type = this.db.options.type;
    const [rows, [count]] = await Promise.all([
      this.indicators.run<RawRow>(pageSql(sql, type, request.sort ?? 'due', pageSize, (page - 1) * pageSize), params),
      this.indicators.run<{ n: number | string }>(countSql(sql), params),
    ]);
    return { kind, asOf, items: rows.map((r) => rowOf(r, asOf)), total: Number(count.n), page, pageSize };
  }

  /** Every row of the list, most urgent first (the export). */
  async all(
    user: AuthUser,
    kind: WorklistKind,
    request: WorklistRequest,
  ): Promise<{ asOf: string; rows: WorklistRow[] }> {
    const { sql, params, asOf } = this.prepare(user, kind, request);
    const rows = await this.indicators.run<RawRow>(pageSql(sql, this.db.options.type, request.sort ?? 'due'), params);
    return { asOf, rows: rows.map((r) => rowOf(r, asOf)) };
  }

  /** How many rows each list holds for the caller (the 工作清单 page and 今日待办). */
  async counts(user: AuthUser, request: WorklistRequest = {}): Promise<Record<WorklistKind, number>> {
    const counts = await Promise.all(
      WORKLIST_KINDS.map(async (kind) => {
        const { sql, params } = this.prepare(user, kind, request);
        const [row] = await this.indicators.run<{ n: number | string }>(countSql(sql), params);
        return [kind, Number(row.n)] as const;
      }),
    );
    return Object.fromEntries(counts) as Record<WorklistKind, number>;
  }

  /** The list's rows per village of the caller's scope (the pages' village filter), by code. */
  async byVillage(
    user: AuthUser,
    kind: WorklistKind,
    request: WorklistRequest,
  ): Promise<{ code: string; name: string; count: number }[]> {
    const street = request.regionCode ? subdistrictOf(request.regionCode) : undefined;
    const { sql, params } = this.prepare(user, kind, { ...request, regionCode: street });
    const rows = await this.indicators.run<{ regionCode: string; name: string | null; n: number | string }>(
      byRegionSql(sql),
      params,
    );
    return rows.map((r) => ({ code: r.regionCode, name: r.name ?? r.regionCode, count: Number(r.n) }));
  }

  /**
   * 今日待办 (the 工作台's model): the caller's count per list, and their open items due within
   * FOLLOW_UP_DUE_DAYS days (the overdue first), at most `limit`; null for a role that reads no records.
   */
  async todo(user: AuthUser, limit = 10): Promise<Todo | null> {
    if (!hasPermission(user.role, Permission.HealthRead)) {
      return null;
    }
    const [counts, items] = await Promise.all([this.counts(user), this.page(user, 'items_due', {}, 1, limit)]);
    return {
      lists: WORKLIST_KINDS.map((kind) => ({ kind, name: WORKLIST_DEFINITIONS[kind].name, count: counts[kind] })),
      items: items.items
        .filter((r) => r.daysLate >= -FOLLOW_UP_DUE_DAYS)
        .map((r) => ({ ...r, daysLeft: -r.daysLate, late: r.daysLate > 0 })),
    };
  }

  private prepare(
    user: AuthUser,
    kind: WorklistKind,
    request: WorklistRequest,
  ): { sql: WorklistSql; params: Record<string, unknown>; asOf: string } {
    const asOf = request.asOf ?? this.clock.today();
    const prefix = effectivePrefix(user, request.regionCode);
    const sql = worklistSql(kind, {
      dbType: this.db.options.type,
      villageScope: prefix.length > 9,
      wholeDistrict: prefix === '',
      departments: DEPARTMENTS.filter((d) => actsOnDepartment(user.role, d)),
    });
    const params = {
      ...this.indicators.parameters(asOf, prefix),
      until: addDays(asOf, kind === 'contracts_expiring' ? CONTRACT_EXPIRING_DAYS : FOLLOW_UP_DUE_DAYS),
      itemScope: `${prefix.slice(0, 9)}%`,
    };
    return { sql, params, asOf };
  }
}

/**
 * The region prefix a list is drawn from: what was asked for, within the officer's sub-district;
 * an officer asking for another sub-district silently gets their own (SPEC §6.3).
 */
export function effectivePrefix(user: AuthUser, requested?: string): string {
  const own = scopePrefixOf(user);
  const asked = requested ? regionPrefix(requested) : null;
  if (own === null) {
    return asked ?? '';
  }
  return asked !== null && asked.startsWith(own) ? asked : own;
}

function rowOf(r: RawRow, asOf: string): WorklistRow {
  return {
    refId: Number(r.refId),
    detail: r.detail ?? '',
    person:
      r.personId === null
        ? null
        : { id: Number(r.personId), name: r.personName ?? '', idNumber: maskIdNumber(r.idNumber ?? '') },
    household: r.householdId === null ? null : { id: Number(r.householdId), registryNo: r.registryNo ?? '' },
    village: r.villageName === null ? null : { code: r.regionCode, name: r.villageName },
    street: { code: r.streetCode, name: r.streetName },
    dueOn: r.dueOn,
    daysLate: daysBetween(r.dueOn, asOf),
  };
}
