export const ROLES = ['admin', 'health_caseworker', 'insurance_reconciler', 'subdistrict_officer', 'viewer'] as const;
/**
 * admin 系统管理员, health_caseworker 卫健局业务人员, insurance_reconciler 医保局对账人员,
 * subdistrict_officer 街道办事处 (one sub-district), viewer 领导、督导组.
 */
export type Role = (typeof ROLES)[number];

/** What a route needs; the table below is the one place that says which role has it. */
export enum Permission {
  UsersManage = 'users.manage',
  RegionsRead = 'regions.read',
  RegionsWrite = 'regions.write',
  HouseholdsRead = 'households.read',
  HouseholdsWrite = 'households.write',
  PersonsRead = 'persons.read',
  IdNumberReadFull = 'persons.id_number.full',
  StatsRead = 'stats.read',
}

const ALL = Object.values(Permission);

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ALL,
  health_caseworker: [
    Permission.RegionsRead,
    Permission.RegionsWrite,
    Permission.HouseholdsRead,
    Permission.HouseholdsWrite,
    Permission.PersonsRead,
    Permission.IdNumberReadFull,
    Permission.StatsRead,
  ],
  insurance_reconciler: [
    Permission.RegionsRead,
    Permission.PersonsRead,
    Permission.HouseholdsRead,
    Permission.StatsRead,
  ],
  subdistrict_officer: [
    Permission.RegionsRead,
    Permission.HouseholdsRead,
    Permission.PersonsRead,
    Permission.StatsRead,
  ],
  // Leadership reads aggregates, not personal records.
  viewer: [Permission.RegionsRead, Permission.StatsRead],
};

export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}
