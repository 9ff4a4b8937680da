import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { maskIdNumber } from '../common/id-number.js';
import type { Page } from '../common/pagination.js';
import type { ApplyRegistryDto } from './dto/reconciliation.dto.js';
import type { ApplicableKind, PlannedChange } from './poverty-apply-plan.js';
import { ReconciliationService } from './reconciliation.service.js';
import {
  confirmOf,
  kindsKey,
  progressOf,
  RegistryApplyRunner,
  type RegistryApplyProgress,
  type VersionedPlan,
} from './registry-apply-runner.js';
import type { RegistryApply } from './registry-apply.entity.js';
import { REGISTRY_CHANGE_KINDS, RegistryChange, type RegistryChangeKind } from './registry-change.entity.js';

/** A planned change as answered: the person's ID number masked. */
export type RegistryChangeView = Omit<PlannedChange, 'idNumber' | 'regionCode' | 'fromHouseholdId'> & {
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
  /** The dry run: every change, a page at a time; the apply: those it wrote now. */
  changes: Page<RegistryChangeView>;
  /** The apply under way or last made for this reconciliation, if any (an interrupted one: `applying`). */
  apply: RegistryApplyProgress | null;
  message: string;
}

const actorOf = (user: AuthUser) => ({ id: user.id, name: user.displayName });

const stale = (message: string) => new AppError(ErrorCode.VersionConflict, message, 'confirm');

/**
 * 写入登记信息: applies the chosen kinds of a finished poverty reconciliation to the registry. The
 * dry run reads the roster again against the registry as it is now and lists every change (add
 * households and persons, household status, person status and household), with a `confirm` token
 * that seals the kinds, the changes and the registry's version (registry-version.ts). The apply
 * needs that token: a registry changed since the preview (anything in it: the token's version
 * differs) is a 409 and nothing is written. It is then written in batches (RegistryApplyRunner),
 * each change recorded in registry_changes with the reconciliation's id, who and when, before →
 * after. What is already so is not a change, so applying twice changes nothing the second time. An
 * apply interrupted midway is continued by the same request again (its token, while the registry is
 * as the last batch left it; or a new preview's token) or, by itself, on the next start.
 */
@Injectable()
export class PovertyApplyService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly runner: RegistryApplyRunner,
    private readonly reconciliations: ReconciliationService,
  ) {}

  async preview(user: AuthUser, id: number, dto: ApplyRegistryDto): Promise<RegistryApplyAnswer> {
    const rec = await this.reconciliations.findDone(id, user, 'poverty');
    const planned = await this.runner.plan(rec, dto.kinds);
    const open = await this.runner.open(rec.id);
    const left = open ? `上次写入尚未完成（已写入 ${open.applied} / ${open.planned} 处），` : '';
    return this.answer(
      true,
      dto,
      planned,
      planned.plan.changes,
      open,
      `预览：${left}写入后登记信息将有 ${planned.plan.changes.length} 处变化。`,
    );
  }

  async apply(user: AuthUser, id: number, dto: ApplyRegistryDto): Promise<RegistryApplyAnswer> {
    const rec = await this.reconciliations.findDone(id, user, 'poverty');
    if (!dto.confirm) {
      throw new AppError(
        ErrorCode.Invalid,
        '缺少 confirm：请先预览变化（dryRun: true），再带上预览返回的确认令牌写入',
        'confirm',
      );
    }
    const open = await this.runner.open(rec.id);
    const planned = await this.runner.plan(rec, dto.kinds);
    const fresh = confirmOf(dto.kinds, planned);
    let done: RegistryApply;
    if (open) {
      if (open.kinds !== kindsKey(dto.kinds)) {
        throw new AppError(
          ErrorCode.InvalidTransition,
          `数据比对 #${rec.id} 上次写入的类型（${open.kinds}）尚未写完，请以相同的类型继续写入`,
          'kinds',
        );
      }
      const sameAsLeft = dto.confirm === open.confirm && planned.version.toString() === open.registryVersion;
      if (!sameAsLeft && dto.confirm !== fresh) {
        throw stale('上次写入中断之后登记信息又有变化（confirm 已失效），请重新预览并确认，继续写入其余变化');
      }
      done = await this.runner.resume(open, dto.confirm, planned, actorOf(user));
    } else {
      if (planned.plan.changes.length === 0) {
        return this.answer(
          false,
          dto,
          planned,
          [],
          await this.runner.latest(rec.id),
          '登记信息已与扶贫办花名册一致，没有需要写入的变化。',
        );
      }
      if (dto.confirm !== fresh) {
        throw stale('预览之后登记信息又有变化（confirm 已失效），请重新预览并确认');
      }
      done = await this.runner.start(rec, dto.kinds, fresh, planned, actorOf(user));
    }
    return this.answer(
      false,
      dto,
      planned,
      planned.plan.changes,
      done,
      planned.plan.changes.length === 0 && done.applied === 0
        ? '登记信息已与扶贫办花名册一致，没有需要写入的变化。'
        : `已写入 ${done.applied} 处登记信息变化。`,
    );
  }

  /** What was written from this reconciliation, newest first. */
  history(id: number): Promise<RegistryChange[]> {
    return this.db.getRepository(RegistryChange).find({ where: { reconciliationId: id }, order: { id: 'DESC' } });
  }

  private answer(
    dryRun: boolean,
    dto: ApplyRegistryDto,
    planned: VersionedPlan,
    changes: readonly PlannedChange[],
    apply: RegistryApply | null,
    message: string,
  ): RegistryApplyAnswer {
    const page = dto.page ?? 1;
    const pageSize = dto.pageSize ?? 50;
    const counts = Object.fromEntries(REGISTRY_CHANGE_KINDS.map((k) => [k, 0])) as Record<RegistryChangeKind, number>;
    changes.forEach((c) => counts[c.change]++);
    return {
      dryRun,
      kinds: dto.kinds,
      counts,
      unplaceable: planned.plan.unplaceable,
      confirm: confirmOf(dto.kinds, planned),
      changes: {
        items: changes.slice((page - 1) * pageSize, page * pageSize).map((c) => ({
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
        total: changes.length,
        page,
        pageSize,
      },
      apply: progressOf(apply),
      message,
    };
  }
}
