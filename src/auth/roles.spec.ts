import { hasPermission, Permission, PERMISSION_HOLDERS, permissionsOf, ROLES } from './roles.js';

describe('role permissions (SPEC §1)', () => {
  it('names holders for every permission, and only known roles', () => {
    for (const permission of Object.values(Permission)) {
      expect(PERMISSION_HOLDERS[permission].length).toBeGreaterThan(0);
      expect(PERMISSION_HOLDERS[permission].every((r) => (ROLES as readonly string[]).includes(r))).toBe(true);
    }
  });

  it('gives admin every permission', () => {
    expect(permissionsOf('admin')).toEqual(Object.values(Permission));
  });

  it('keeps personal records from the leadership, who read aggregates', () => {
    expect(hasPermission('viewer', Permission.HouseholdsRead)).toBe(false);
    expect(hasPermission('viewer', Permission.PersonsRead)).toBe(false);
    expect(hasPermission('viewer', Permission.HealthRead)).toBe(false);
    expect(hasPermission('viewer', Permission.StatsRead)).toBe(true);
    expect(hasPermission('viewer', Permission.ItemsRead)).toBe(true);
    expect(hasPermission('viewer', Permission.ItemsAct)).toBe(false);
  });

  it('lets officers read and close items but write no record', () => {
    expect(hasPermission('subdistrict_officer', Permission.HouseholdsWrite)).toBe(false);
    expect(hasPermission('subdistrict_officer', Permission.HealthWrite)).toBe(false);
    expect(hasPermission('subdistrict_officer', Permission.RegionsWrite)).toBe(false);
    expect(hasPermission('subdistrict_officer', Permission.ItemsAct)).toBe(true);
    expect(hasPermission('subdistrict_officer', Permission.ItemsManage)).toBe(false);
  });

  it('keeps enrollment and reconciliation with the insurance bureau, the registry with the health bureau', () => {
    expect(ROLES.filter((r) => hasPermission(r, Permission.InsuranceWrite))).toEqual(['admin', 'insurance_reconciler']);
    expect(ROLES.filter((r) => hasPermission(r, Permission.ReconciliationsRun))).toEqual([
      'admin',
      'insurance_reconciler',
    ]);
    expect(ROLES.filter((r) => hasPermission(r, Permission.ImportsRun))).toEqual(['admin', 'health_caseworker']);
    expect(hasPermission('insurance_reconciler', Permission.HealthWrite)).toBe(false);
  });

  it('reserves users, campaigns and the escalation job to admin, and full ID numbers to admin and caseworkers', () => {
    for (const permission of [
      Permission.UsersManage,
      Permission.CampaignsManage,
      Permission.EscalationsRun,
      Permission.AuditRead,
    ]) {
      expect(ROLES.filter((r) => hasPermission(r, permission))).toEqual(['admin']);
    }
    expect(ROLES.filter((r) => hasPermission(r, Permission.IdNumberReadFull))).toEqual(['admin', 'health_caseworker']);
  });
});
