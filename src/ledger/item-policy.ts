import type { AuthUser } from '../auth/auth-user.js';
import { hasPermission, Permission, type Role } from '../auth/roles.js';
import type { Department, ItemCategory, ItemStatus } from './item.entity.js';

/**
 * The item's rules in one place (SPEC §2 life cycle), pure: the service refuses with them and the
 * item page decides with them which forms to show.
 */
export const ITEM_ACTIONS = ['start', 'progress', 'close', 'reopen', 'reassign', 'deadline'] as const;
/** start 开始整改, progress 整改进展, close 销号, reopen 重新打开, reassign 改派, deadline 调整截止日期. */
export type ItemAction = (typeof ITEM_ACTIONS)[number];

/** The statuses each action may start from. */
export const ACTION_FROM: { readonly [A in ItemAction]: readonly ItemStatus[] } = {
  start: ['open'],
  progress: ['open', 'in_progress'],
  close: ['open', 'in_progress'],
  reopen: ['closed'],
  reassign: ['open', 'in_progress'],
  deadline: ['open', 'in_progress'],
};

/** The permission a route of each action requires (start, progress and close are the sub-district's work). */
export const ACTION_PERMISSION: { readonly [A in ItemAction]: Permission } = {
  start: Permission.ItemsAct,
  progress: Permission.ItemsAct,
  close: Permission.ItemsAct,
  reopen: Permission.ItemsManage,
  reassign: Permission.ItemsManage,
  deadline: Permission.ItemsManage,
};

/** The department an item goes to when its filer names none: 医保局 for 基本医保, 卫健局 otherwise. */
export function defaultDepartment(category: ItemCategory): Department {
  return category === 'insurance' ? 'insurance' : 'health';
}

/** The department rule: insurance staff (医保局对账人员) act on insurance items only; other roles on any. */
export function actsOnDepartment(role: Role, dept: Department): boolean {
  return role !== 'insurance_reconciler' || dept === 'insurance';
}

/** Whether an item in `status` may take `action`. */
export function allowsTransition(action: ItemAction, status: ItemStatus): boolean {
  return ACTION_FROM[action].includes(status);
}

/** What an item's rules say to an action, beyond the route's permission: null when it may go ahead. */
export function refusalOf(
  user: Pick<AuthUser, 'role'>,
  item: { status: ItemStatus; responsibleDept: Department },
  action: ItemAction,
): 'department' | 'status' | null {
  if (!actsOnDepartment(user.role, item.responsibleDept)) {
    return 'department';
  }
  return allowsTransition(action, item.status) ? null : 'status';
}

/** The actions a user has on an item: their role's permission, the department rule and the item's status. */
export function actionsFor(
  user: Pick<AuthUser, 'role'>,
  item: { status: ItemStatus; responsibleDept: Department },
): ItemAction[] {
  return ITEM_ACTIONS.filter(
    (action) => hasPermission(user.role, ACTION_PERMISSION[action]) && refusalOf(user, item, action) === null,
  );
}
