import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, type EntityManager, In } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { Clock } from '../common/clock.js';
import { maskIdNumber, parseIdNumber } from '../common/id-number.js';
import type { Page } from '../common/pagination.js';
import { chunk } from '../common/sql.js';
import { AppConfig } from '../config/app-config.js';
import { inTransaction } from '../database/transaction.js';
import { Household } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';
import type { HouseholdStatus } from '../households/household.entity.js';
import { openRoster } from '../uploads/roster-reader.js';
import type { ApplyRegistryDto } from './dto/reconciliation.dto.js';
import { type ApplicableKind, type PlannedChange, PovertyApplyPlan } from './poverty-apply-plan.js';
import { loadPovertyRegistry } from './poverty-registry.js';
import { POVERTY_COLUMNS } from './poverty-rows.js';
import { Reconciliation } from './reconciliation.entity.js';
import { ReconciliationService } from './reconciliation.service.js';
import { REGISTRY_CHANGE_KINDS, RegistryChange, type RegistryChangeKind } from './registry-change.entity.js';

/** A planned change as answered: the person's ID number masked. */
export type RegistryChangeView = Omit<PlannedChange, 'idNumber' | 'regionCode'> & {
  idNumber: string | null;
  regionCode: string | null;
};

export interface RegistryApplyAnswer {
  dryRun: boolean;
  kinds: ApplicableKind[];
  /** Changes per kind of change (every kind present). */
  counts: Record<RegistryChangeKind, number>;
  /** Rows whose household would be added in a region the district does not have: left out. */
  unplaceable: number;
  /** The dry run's token: give it back as `confirm` to write exactly these changes. */
  confirm: string;
  /** The dry run: every change, a page at a time; the apply: those it wrote. */
  changes: Page<RegistryChangeView>;
  message: string;
}

const PER_STATEMENT = 500;

/**
 * 写入登记信息: applies the chosen kinds of a finished poverty reconciliation to the registry. The
 * dry run reads the roster again against the registry as it is now and lists every change (add
 * households and persons, household status, person status and household); the apply does the same
 * inside one transaction and writes it — households first, then persons, then statuses — each
 * change recorded in registry_changes with the reconciliation's id, who and when, before → after.
 * What is already so is not a change, so applying twice changes nothing the second time. With
 * `confirm`, a plan that differs from the previewed one is a 409 and nothing is written (a plan
 * with nothing left to change is not a conflict: a repeated apply answers that nothing changed).
 */
@Injectable()
export class PovertyApplyService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly reconciliations: ReconciliationService,
  ) {}

  async preview(user: AuthUser, id: number, dto: ApplyRegistryDto): Promise<RegistryApplyAnswer> {
    const rec = await this.reconciliations.findDone(id, user, 'poverty');
    const plan = await this.plan(rec, dto.kinds);
    return this.answer(true, dto, plan, `预览：写入后登记信息将有 ${plan.changes.length} 处变化。`);
  }

  async apply(user: AuthUser, id: number, dto: ApplyRegistryDto): Promise<RegistryApplyAnswer> {
    const rec = await this.reconciliations.findDone(id, user, 'poverty');
    const now = this.clock.now();
    const plan = await inTransaction(this.db, async (em) => {
      const planned = await this.plan(rec, dto.kinds);
      if (planned.changes.length > 0 && dto.confirm && planned.token() !== dto.confirm) {
        throw new AppError(
          ErrorCode.VersionConflict,
          '预览之后登记信息又有变化（confirm 已失效），请重新预览并确认',
          'confirm',
        );
      }
      if (planned.changes.length > 0) {
        await this.write(em, rec, planned.changes, user.id, now);
        await em.update(Reconciliation, { id }, { registryApplied: planned.changes.length, registryAppliedAt: now });
      }
      return planned;
    });
    return this.answer(
      false,
      dto,
      plan,
      plan.changes.length === 0
        ? '登记信息已与扶贫办花名册一致，没有需要写入的变化。'
        : `已写入 ${plan.changes.length} 处登记信息变化。`,
    );
  }

  /** What was written from this reconciliation, newest first. */
  history(id: number): Promise<RegistryChange[]> {
    return this.db.getRepository(RegistryChange).find({ where: { reconciliationId: id }, order: { id: 'DESC' } });
  }

  private async plan(rec: Reconciliation, kinds: readonly ApplicableKind[]): Promise<PovertyApplyPlan> {
    const path = join(this.config.UPLOAD_DIR, rec.storedName);
    if (!existsSync(path)) {
      throw new AppError(
        ErrorCode.InvalidTransition,
        `数据比对 #${rec.id} 的花名册文件已不在服务器上，无法写入登记信息`,
      );
    }
    const plan = new PovertyApplyPlan(await loadPovertyRegistry(this.db), new Set(kinds), this.clock.today());
    const roster = await openRoster(path, POVERTY_COLUMNS);
    try {
      for await (const batch of roster.batches()) {
        batch.forEach((raw) => plan.add(raw));
      }
    } finally {
      await roster.close();
    }
    return plan;
  }

  /** Households first (their ids are needed), then persons, then statuses; every change logged. */
  private async write(
    em: EntityManager,
    rec: Reconciliation,
    changes: PlannedChange[],
    userId: number,
    now: Date,
  ): Promise<void> {
    const of = (kind: RegistryChangeKind) => changes.filter((c) => c.change === kind);
    const thisYear = this.clock.year();
    for (const part of chunk(of('household_added'), PER_STATEMENT)) {
      await em.insert(
        Household,
        part.map((c) => ({
          registryNo: c.registryNo,
          regionCode: c.regionCode!,
          povertyCause: 'other' as const,
          registeredYear: thisYear,
          status: c.after as HouseholdStatus,
        })),
      );
    }
    const householdIds = new Map<string, number>();
    const wanted = [...new Set(changes.filter((c) => c.householdId === null).map((c) => c.registryNo))];
    for (const part of chunk(wanted, PER_STATEMENT)) {
      const rows = await em.find(Household, {
        select: { id: true, registryNo: true },
        where: { registryNo: In(part) },
      });
      rows.forEach((h) => householdIds.set(h.registryNo, h.id));
    }
    const householdOf = (c: PlannedChange) => c.householdId ?? householdIds.get(c.registryNo)!;
    for (const part of chunk(of('person_added'), PER_STATEMENT)) {
      await em.insert(
        Person,
        part.map((c) => {
          const { sex, birthDate } = parseIdNumber(c.idNumber!);
          return {
            householdId: householdOf(c),
            idNumber: c.idNumber!,
            name: c.name!.slice(0, 64),
            relation: c.relation!,
            status: 'active' as const,
            sex,
            birthDate,
          };
        }),
      );
    }
    const personIds = new Map<string, number>();
    for (const part of chunk(
      of('person_added').map((c) => c.idNumber!),
      PER_STATEMENT,
    )) {
      const rows = await em.find(Person, { select: { id: true, idNumber: true }, where: { idNumber: In(part) } });
      rows.forEach((p) => personIds.set(p.idNumber, p.id));
    }
    const personOf = (c: PlannedChange) => c.personId ?? personIds.get(c.idNumber!) ?? null;
    const update = async (
      entity: typeof Person | typeof Household,
      kind: RegistryChangeKind,
      set: (c: PlannedChange) => Record<string, unknown>,
      idOf: (c: PlannedChange) => number,
    ) => {
      const groups = new Map<string, { set: Record<string, unknown>; ids: number[] }>();
      for (const c of of(kind)) {
        const values = set(c);
        const key = JSON.stringify(values);
        const group = groups.get(key) ?? { set: values, ids: [] };
        group.ids.push(idOf(c));
        groups.set(key, group);
      }
      for (const group of groups.values()) {
        for (const ids of chunk(group.ids, PER_STATEMENT)) {
          await em
            .createQueryBuilder()
            .update(entity)
            .set({ ...group.set, version: () => 'version + 1' })
            .where({ id: In(ids) })
            .execute();
        }
      }
    };
    await update(
      Person,
      'person_household',
      (c) => ({ householdId: householdOf(c) }),
      (c) => c.personId!,
    );
    await update(
      Person,
      'person_status',
      (c) => ({ status: c.after }),
      (c) => c.personId!,
    );
    await update(
      Household,
      'household_status',
      (c) => ({ status: c.after }),
      (c) => c.householdId!,
    );
    for (const part of chunk(changes, PER_STATEMENT)) {
      await em
        .createQueryBuilder()
        .insert()
        .into(RegistryChange)
        .values(
          part.map((c) => ({
            reconciliationId: rec.id,
            change: c.change,
            householdId: householdOf(c),
            personId: personOf(c),
            before: c.before,
            after: c.after,
            changedById: userId,
            changedAt: now,
          })),
        )
        .updateEntity(false)
        .execute();
    }
  }

  private answer(dryRun: boolean, dto: ApplyRegistryDto, plan: PovertyApplyPlan, message: string): RegistryApplyAnswer {
    const page = dto.page ?? 1;
    const pageSize = dto.pageSize ?? 50;
    const counts = Object.fromEntries(REGISTRY_CHANGE_KINDS.map((k) => [k, 0])) as Record<RegistryChangeKind, number>;
    plan.changes.forEach((c) => counts[c.change]++);
    return {
      dryRun,
      kinds: dto.kinds,
      counts,
      unplaceable: plan.unplaceable,
      confirm: plan.token(),
      changes: {
        items: plan.changes.slice((page - 1) * pageSize, page * pageSize).map((c) => ({
          change: c.change,
          line: c.line,
          registryNo: c.registryNo,
          householdId: c.householdId,
          personId: c.personId,
          idNumber: c.idNumber && maskIdNumber(c.idNumber),
          name: c.name,
          before: c.before,
          after: c.after,
          regionCode: c.regionCode ?? null,
          ...(c.relation ? { relation: c.relation } : {}),
        })),
        total: plan.changes.length,
        page,
        pageSize,
      },
      message,
    };
  }
}
