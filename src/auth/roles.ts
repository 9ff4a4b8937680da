export const ROLES = ['admin', 'health_caseworker', 'insurance_reconciler', 'subdistrict_officer', 'viewer'] as const;
/**
 * admin 系统管理员, health_caseworker 卫健局业务人员, insurance_reconciler 医保局对账人员,
 * subdistrict_officer 街道办事处 (one sub-district), viewer 领导、督导组.
 */
export type Role = (typeof ROLES)[number];

/** What a route needs (@Require); PERMISSION_HOLDERS below is the one place that says who has it. */
export enum Permission {
  UsersManage = 'users.manage',
  RegionsRead = 'regions.read',
  RegionsWrite = 'regions.write',
  HouseholdsRead = 'households.read',
  HouseholdsWrite = 'households.write',
  PersonsRead = 'persons.read',
  IdNumberReadFull = 'persons.id_number.full',
  HealthRead = 'health.read',
  HealthWrite = 'health.write',
  InsuranceWrite = 'insurance.write',
  StatsRead = 'stats.read',
  CampaignsRead = 'campaigns.read',
  CampaignsManage = 'campaigns.manage',
  ItemsRead = 'items.read',
  ItemsCreate = 'items.create',
  /** start, progress note, close — further limited by sub-district (officers) and department (insurance). */
  ItemsAct = 'items.act',
  /** 销号审核: approve or reject a close request — further limited to the item's department (SPEC §6.2). */
  ItemsReview = 'items.review',
  /** reopen, reassign, change the deadline. */
  ItemsManage = 'items.manage',
  ChecksRun = 'checks.run',
  EscalationsRun = 'escalations.run',
  ImportsRun = 'imports.run',
  /** The insurance bureau's roster (医保局). */
  ReconciliationsRun = 'reconciliations.run',
  /** The poverty office's register (扶贫办, SPEC §6.5): upload, read, file items, apply to the registry. */
  PovertyReconciliationsRun = 'reconciliations.poverty',
  /** The log of full ID number reads. */
  AuditRead = 'audit.read',
  /** 因病返贫致贫预警 (SPEC §6.6): upload the insurance bureau's settlements. */
  RiskSettlementsUpload = 'risk.settlements',
  /** Set a year's thresholds. */
  RiskThresholdsManage = 'risk.thresholds',
  /** Run the year's risk run by hand. */
  RiskRun = 'risk.run',
  /** The alerts (ID numbers masked), the funnel and the thresholds. */
  RiskRead = 'risk.read',
  /** The push list of persons outside the register, with full ID numbers (for the rural-revitalisation office). */
  RiskPushList = 'risk.push_list',
}

const EVERYONE: Role[] = [...ROLES];
const RECORD_KEEPERS: Role[] = ['admin', 'health_caseworker'];
/** Personal records: everyone but the leadership, who read aggregates (SPEC §1). */
const RECORD_READERS: Role[] = ['admin', 'health_caseworker', 'insurance_reconciler', 'subdistrict_officer'];

export const PERMISSION_HOLDERS: Record<Permission, readonly Role[]> = {
  [Permission.UsersManage]: ['admin'],
  [Permission.RegionsRead]: EVERYONE,
  [Permission.RegionsWrite]: RECORD_KEEPERS,
  [Permission.HouseholdsRead]: RECORD_READERS,
  [Permission.HouseholdsWrite]: RECORD_KEEPERS,
  [Permission.PersonsRead]: RECORD_READERS,
  [Permission.IdNumberReadFull]: RECORD_KEEPERS,
  [Permission.HealthRead]: RECORD_READERS,
  [Permission.HealthWrite]: RECORD_KEEPERS,
  [Permission.InsuranceWrite]: ['admin', 'insurance_reconciler'],
  [Permission.StatsRead]: EVERYONE,
  [Permission.CampaignsRead]: EVERYONE,
  [Permission.CampaignsManage]: ['admin'],
  [Permission.ItemsRead]: EVERYONE,
  [Permission.ItemsCreate]: RECORD_KEEPERS,
  [Permission.ItemsAct]: RECORD_READERS,
  [Permission.ItemsReview]: ['admin', 'health_caseworker', 'insurance_reconciler'],
  [Permission.ItemsManage]: RECORD_KEEPERS,
  [Permission.ChecksRun]: RECORD_KEEPERS,
  [Permission.EscalationsRun]: ['admin'],
  [Permission.ImportsRun]: RECORD_KEEPERS,
  [Permission.ReconciliationsRun]: ['admin', 'insurance_reconciler'],
  [Permission.PovertyReconciliationsRun]: RECORD_KEEPERS,
  [Permission.AuditRead]: ['admin'],
  [Permission.RiskSettlementsUpload]: ['admin', 'insurance_reconciler'],
  [Permission.RiskThresholdsManage]: ['admin'],
  [Permission.RiskRun]: ['admin'],
  [Permission.RiskRead]: ['admin', 'health_caseworker', 'insurance_reconciler'],
  [Permission.RiskPushList]: RECORD_KEEPERS,
};

export function hasPermission(role: Role, permission: Permission): boolean {
  return PERMISSION_HOLDERS[permission].includes(role);
}

/** The permissions of a role (for the navigation and the users page). */
export function permissionsOf(role: Role): Permission[] {
  return Object.values(Permission).filter((p) => hasPermission(role, p));
}
