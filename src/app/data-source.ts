import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';
import { User } from '../auth/user.entity.js';
import type { AppConfig } from '../config/app-config.js';
import { Condition } from '../health/condition.entity.js';
import { ContractDisease } from '../health/contract-disease.entity.js';
import { Contract } from '../health/contract.entity.js';
import { EscalationRun } from '../escalation/escalation-run.entity.js';
import { CheckRun } from '../checks/check-run.entity.js';
import { Disease } from '../health/disease.entity.js';
import { FollowUp } from '../health/follow-up.entity.js';
import { InsuranceEnrollment } from '../health/insurance-enrollment.entity.js';
import { Household } from '../households/household.entity.js';
import { IdAccess } from '../households/id-access.entity.js';
import { ImportJob } from '../imports/import-job.entity.js';
import { ImportRowError } from '../imports/import-row-error.entity.js';
import { Person } from '../households/person.entity.js';
import { Attachment } from '../ledger/attachment.entity.js';
import { Campaign } from '../ledger/campaign.entity.js';
import { ItemCount } from '../ledger/item-count.entity.js';
import { Item } from '../ledger/item.entity.js';
import { LedgerEntry } from '../ledger/ledger-entry.entity.js';
import { Discrepancy } from '../reconciliation/discrepancy.entity.js';
import { EnrollmentChange } from '../reconciliation/enrollment-change.entity.js';
import { Reconciliation } from '../reconciliation/reconciliation.entity.js';
import { RegistryApply } from '../reconciliation/registry-apply.entity.js';
import { RegistryChange } from '../reconciliation/registry-change.entity.js';
import { Notification } from '../notifications/notification.entity.js';
import { Region } from '../regions/region.entity.js';
import { RiskAlert } from '../risk/risk-alert.entity.js';
import { RiskThreshold } from '../risk/risk-threshold.entity.js';
import { Settlement } from '../risk/settlement.entity.js';
import { SettlementUpload } from '../risk/settlement-upload.entity.js';
import { connectionOptions } from '../database/connection-options.js';

export const ENTITIES = [
  Region,
  User,
  Household,
  Person,
  Disease,
  Condition,
  Contract,
  ContractDisease,
  FollowUp,
  InsuranceEnrollment,
  Campaign,
  Item,
  ItemCount,
  LedgerEntry,
  Attachment,
  EscalationRun,
  CheckRun,
  Notification,
  IdAccess,
  ImportJob,
  ImportRowError,
  Reconciliation,
  Discrepancy,
  EnrollmentChange,
  RegistryChange,
  RegistryApply,
  SettlementUpload,
  Settlement,
  RiskThreshold,
  RiskAlert,
];

/** The one description of the database, used by the app, the migration command and the tests. */
export function dataSourceOptions(config: AppConfig): DataSourceOptions {
  return connectionOptions(config, { entities: ENTITIES, migrations: MIGRATIONS });
}
