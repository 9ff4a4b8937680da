import { hasPermission, Permission, type Role, ROLE_PERMISSIONS, ROLES } from './roles.js';

/** SPEC §1, permission by permission: the roles that hold it. */
const HOLDERS: Record<Permission, Role[]> = {
  [Permission.UsersManage]: ['admin'],
  [Permission.RegionsRead]: ['admin', 'health_caseworker', 'insurance_reconciler', 'subdistrict_officer', 'viewer'],
  [Permission.RegionsWrite]: ['admin', 'health_caseworker'],
  [Permission.HouseholdsRead]: ['admin', 'health_caseworker', 'insurance_reconciler', 'subdistrict_officer'],
  [Permission.HouseholdsWrite]: ['admin', 'health_caseworker'],
  [Permission.PersonsRead]: ['admin', 'health_caseworker', 'insurance_reconciler', 'subdistrict_officer'],
  [Permission.IdNumberReadFull]: ['admin', 'health_caseworker'],
  [Permission.StatsRead]: ['admin', 'health_caseworker', 'insurance_reconciler', 'subdistrict_officer', 'viewer'],
};

describe('role permissions', () => {
  it('has an entry for every role and nothing else', () => {
    expect(Object.keys(ROLE_PERMISSIONS).sort()).toEqual([...ROLES].sort());
  });

  it('gives admin every permission', () => {
    for (const permission of Object.values(Permission)) {
      expect(hasPermission('admin', permission)).toBe(true);
    }
  });

  const cases = Object.values(Permission).flatMap((permission) =>
    ROLES.map((role) => ({ role, permission, expected: HOLDERS[permission].includes(role) })),
  );

  it.each(cases)('$role holds $permission: $expected', ({ role, permission, expected }) => {
    expect(hasPermission(role, permission)).toBe(expected);
  });

  it('spells out the SPEC §1 rules', () => {
    expect(hasPermission('viewer', Permission.HouseholdsRead)).toBe(false);
    expect(hasPermission('viewer', Permission.PersonsRead)).toBe(false);
    expect(hasPermission('subdistrict_officer', Permission.HouseholdsWrite)).toBe(false);
    expect(hasPermission('subdistrict_officer', Permission.RegionsWrite)).toBe(false);
    expect(hasPermission('insurance_reconciler', Permission.IdNumberReadFull)).toBe(false);
    expect(ROLES.filter((r) => hasPermission(r, Permission.UsersManage))).toEqual(['admin']);
    expect(ROLES.filter((r) => hasPermission(r, Permission.IdNumberReadFull))).toEqual(['admin', 'health_caseworker']);
  });

  it('lists no permission twice for a role', () => {
    for (const role of ROLES) {
      expect(new Set(ROLE_PERMISSIONS[role]).size).toBe(ROLE_PERMISSIONS[role].length);
    }
  });
});
