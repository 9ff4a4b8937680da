import type { AuthUser } from '../auth/auth-user.js';
import { hasPermission, Permission } from '../auth/roles.js';
import { AppError, ErrorCode } from '../common/app-error.js';
import { INSURANCE_KINDS, POVERTY_KINDS, type DiscrepancyKind } from './discrepancy.entity.js';
import { RECONCILIATION_SOURCES, type ReconciliationSource } from './reconciliation.entity.js';

/** Who works with each roster (SPEC §1, §6.5): the insurance bureau its own, the health bureau the poverty office's. */
export const SOURCE_PERMISSION: Record<ReconciliationSource, Permission> = {
  insurance: Permission.ReconciliationsRun,
  poverty: Permission.PovertyReconciliationsRun,
};

/** Both sources' permissions: the routes they share need one of them. */
export const ANY_SOURCE = [Permission.ReconciliationsRun, Permission.PovertyReconciliationsRun] as const;

export const SOURCE_LABELS: Record<ReconciliationSource, string> = {
  insurance: '医保参保花名册',
  poverty: '扶贫办建档立卡花名册',
};

export const KINDS_OF_SOURCE: Record<ReconciliationSource, readonly DiscrepancyKind[]> = {
  insurance: INSURANCE_KINDS,
  poverty: POVERTY_KINDS,
};

export function maySource(user: Pick<AuthUser, 'role'>, source: ReconciliationSource): boolean {
  return hasPermission(user.role, SOURCE_PERMISSION[source]);
}

/** The sources a user works with, insurance first. */
export function sourcesOf(user: Pick<AuthUser, 'role'>): ReconciliationSource[] {
  return RECONCILIATION_SOURCES.filter((s) => maySource(user, s));
}

/** 403 unless the user works with this source's rosters. */
export function assertSource(user: Pick<AuthUser, 'role'>, source: ReconciliationSource): void {
  if (!maySource(user, source)) {
    throw new AppError(ErrorCode.Forbidden, `当前角色无权处理${SOURCE_LABELS[source]}`, 'source');
  }
}
