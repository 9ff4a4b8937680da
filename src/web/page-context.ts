import type { Request, Response } from 'express';
import type { AuthUser } from '../auth/auth-user.js';
import { hasPermission, Permission, type Role } from '../auth/roles.js';
import { ANY_SOURCE } from '../reconciliation/reconciliation-source.js';
import { ROLE_LABELS } from './labels.js';

export interface NavLink {
  href: string;
  label: string;
  active: boolean;
  /** A number after the label (unread notices), when there is one. */
  count: number | null;
}

/** The signed-in user as the header shows them. */
export interface PageUser {
  username: string;
  displayName: string;
  role: Role;
  roleLabel: string;
}

/** What every page template can use besides its own data (Express merges res.locals into the view). */
export interface PageLocals {
  me: PageUser | null;
  nav: NavLink[];
  csrfToken: string | null;
}

interface Area {
  href: string;
  label: string;
  /** Who sees the link: the permission the area's pages require (one of them, when several). */
  permission: Permission | readonly Permission[] | null;
}

/** The areas of SPEC §3 in their order. */
const AREAS: Area[] = [
  { href: '/', label: '工作台', permission: Permission.StatsRead },
  { href: '/households', label: '贫困户', permission: Permission.HouseholdsRead },
  { href: '/worklists', label: '工作清单', permission: Permission.HealthRead },
  { href: '/items', label: '整改台账', permission: Permission.ItemsRead },
  // 销号审核's working list (SPEC §6.2): the reviewers' (their department's requests), admins'.
  { href: '/items/review', label: '待审核', permission: Permission.ItemsReview },
  { href: '/campaigns', label: '整改专项', permission: Permission.CampaignsRead },
  { href: '/imports', label: '导入', permission: Permission.ImportsRun },
  { href: '/reconciliations', label: '数据比对', permission: ANY_SOURCE },
  { href: '/risk', label: '风险预警', permission: Permission.RiskRead },
  { href: '/notifications', label: '提醒', permission: null },
  { href: '/bulletin', label: '工作简报', permission: Permission.StatsRead },
  { href: '/users', label: '用户', permission: Permission.UsersManage },
  { href: '/system/id-access', label: '查看记录', permission: Permission.AuditRead },
  // 运行查漏补缺 and 运行预警 with their histories (issue #16).
  { href: '/system', label: '查漏预警', permission: [Permission.ChecksRun, Permission.EscalationsRun] },
];

function matches(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

/** The area a path lies in: the longest link it matches (/items/review is 待审核, /items/7 is 整改台账). */
function isActive(href: string, path: string, areas: readonly Area[]): boolean {
  const longest = areas.filter((a) => matches(a.href, path)).sort((a, b) => b.href.length - a.href.length)[0];
  return longest?.href === href;
}

/** The navigation for a role: only the areas it may open (the server still checks every route). */
export function navFor(role: Role, path: string, unread = 0): NavLink[] {
  const may = (p: Area['permission']) =>
    p === null || (typeof p === 'string' ? hasPermission(role, p) : p.some((one) => hasPermission(role, one)));
  const areas = AREAS.filter((a) => may(a.permission));
  return areas.map((a) => ({
    // 数据比对 opens on the insurance roster; a role that works with the poverty register only opens on that.
    href:
      a.href === '/reconciliations' && !hasPermission(role, Permission.ReconciliationsRun)
        ? '/reconciliations?source=poverty'
        : a.href,
    label: a.label,
    active: isActive(a.href, path, areas),
    count: a.href === '/notifications' && unread > 0 ? unread : null,
  }));
}

export function pageUser(user: AuthUser): PageUser {
  return {
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    roleLabel: ROLE_LABELS[user.role],
  };
}

/** Puts the header, navigation and CSRF token where every view (and the error page) finds them. */
export function setPageLocals(
  req: Request,
  res: Response,
  me: PageUser | null,
  csrfToken: string | null,
  unread = 0,
): void {
  const locals: PageLocals = { me, nav: me ? navFor(me.role, req.path, unread) : [], csrfToken };
  Object.assign(res.locals, locals);
}
