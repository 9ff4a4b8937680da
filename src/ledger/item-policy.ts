import type { AuthUser } from '../auth/auth-user.js';
import { hasPermission, Permission, type Role } from '../auth/roles.js';
import { DEPARTMENTS, type Department, type ItemCategory, type ItemStatus } from './item.entity.js';

/**
 * The item's rules in one place (SPEC §2 life cycle), pure: the service refuses with them and the
 * item page decides with them which forms to show.
 */
export const ITEM_ACTIONS = [
  'start',
  'progress',
  'attach',
  'assign',
  'close',
  'review',
  'comment',
  'reopen',
  'reassign',
  'deadline',
] as const;
/**
 * start 开始整改, progress 整改进展, attach 上传佐证材料, assign 指定责任人, close 销号 (or 申请销号 when
 * the campaign reviews closes), review 销号审核, comment 批注, reopen 重新打开, reassign 改派,
 * deadline 调整截止日期.
 */
export type ItemAction = (typeof ITEM_ACTIONS)[number];

/** The statuses each action may start from. */
export const ACTION_FROM: { readonly [A in ItemAction]: readonly ItemStatus[] } = {
  start: ['open'],
  progress: ['open', 'in_progress'],
  // The evidence a reviewer decides on is the evidence the request named: none is added while it waits.
  attach: ['open', 'in_progress'],
  assign: ['open', 'in_progress', 'pending_review'],
  close: ['open', 'in_progress'],
  review: ['pending_review'],
  comment: ['open', 'in_progress', 'pending_review', 'closed'],
  reopen: ['closed'],
  reassign: ['open', 'in_progress', 'pending_review'],
  deadline: ['open', 'in_progress', 'pending_review'],
};

/** The permission a route of each action requires (start, progress and close are the sub-district's work). */
export const ACTION_PERMISSION: { readonly [A in ItemAction]: Permission } = {
  start: Permission.ItemsAct,
  progress: Permission.ItemsAct,
  attach: Permission.ItemsAct,
  assign: Permission.ItemsAct,
  close: Permission.ItemsAct,
  review: Permission.ItemsReview,
  comment: Permission.ItemsRead,
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

/**
 * Who reviews a close request (SPEC §6.2): the responsible department — 卫健局 health_caseworker for
 * health items, 医保局 insurance_reconciler for insurance items — or an admin.
 */
export function reviewsDepartment(role: Role, dept: Department): boolean {
  return role === 'admin' || role === (dept === 'insurance' ? 'insurance_reconciler' : 'health_caseworker');
}

/** The departments whose close requests a role reviews (the 待审核 working list): admin both, none for most roles. */
export function reviewedDepartments(role: Role): Department[] {
  return DEPARTMENTS.filter((dept) => reviewsDepartment(role, dept));
}

/** Whether an item in `status` may take `action`. */
export function allowsTransition(action: ItemAction, status: ItemStatus): boolean {
  return ACTION_FROM[action].includes(status);
}

/** What an item's rules say to an action, beyond the route's permission: null when it may go ahead. */
export function refusalOf(
  user: Pick<AuthUser, 'id' | 'role'>,
  item: ItemState,
  action: ItemAction,
): 'department' | 'status' | 'requester' | null {
  if (
    action === 'review'
      ? !reviewsDepartment(user.role, item.responsibleDept)
      : action !== 'comment' && !actsOnDepartment(user.role, item.responsibleDept)
  ) {
    return 'department';
  }
  if (!allowsTransition(action, item.status)) {
    return 'status';
  }
  // Never the one who asked: a close request is reviewed by someone else (SPEC §6.2).
  return action === 'review' && item.closeRequestedById === user.id ? 'requester' : null;
}

/** What the rules read of an item. */
export interface ItemState {
  status: ItemStatus;
  responsibleDept: Department;
  closeRequestedById?: number | null;
}

/** The actions a user has on an item: their role's permission, the department rule and the item's status. */
export function actionsFor(user: Pick<AuthUser, 'id' | 'role'>, item: ItemState): ItemAction[] {
  return ITEM_ACTIONS.filter(
    (action) => hasPermission(user.role, ACTION_PERMISSION[action]) && refusalOf(user, item, action) === null,
  );
}
