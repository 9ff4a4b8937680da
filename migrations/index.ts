import { Foundation1764300000000 } from './1764300000000-Foundation.js';
import { HealthRecords1764400000000 } from './1764400000000-HealthRecords.js';
import { Ledger1764500000000 } from './1764500000000-Ledger.js';
import { Escalation1764600000000 } from './1764600000000-Escalation.js';
import { Imports1764700000000 } from './1764700000000-Imports.js';
import { IdAccessLog1764800000000 } from './1764800000000-IdAccessLog.js';
import { ItemsListIndex1764900000000 } from './1764900000000-ItemsListIndex.js';
import { EscalationRunProgress1765000000000 } from './1765000000000-EscalationRunProgress.js';
import { ClosedOnAndEnrollmentChanges1765013000000 } from './1765013000000-ClosedOnAndEnrollmentChanges.js';
import { ExactUsernamesAndTokenVersion1765031000000 } from './1765031000000-ExactUsernamesAndTokenVersion.js';
import { ImportErrorsOmitted1765057000000 } from './1765057000000-ImportErrorsOmitted.js';
import { SchemaMatchesEntities1765100000000 } from './1765100000000-SchemaMatchesEntities.js';
import { FollowUpResults1765200000000 } from './1765200000000-FollowUpResults.js';
import { MajorDiseaseTreatment1765210000000 } from './1765210000000-MajorDiseaseTreatment.js';
import { RegistryChanges1765300000000 } from './1765300000000-RegistryChanges.js';
import { ReconciliationSource1765300000001 } from './1765300000001-ReconciliationSource.js';
import { ClosureReview1765400000000 } from './1765400000000-ClosureReview.js';
import { RegistryApplies1765519000000 } from './1765519000000-RegistryApplies.js';
import { RegistryPages1765600000000 } from './1765600000000-RegistryPages.js';
import { ContractRenewal1765610000000 } from './1765610000000-ContractRenewal.js';
import { CheckRuns1765630000000 } from './1765630000000-CheckRuns.js';
import { RiskSettlements1765660000000 } from './1765660000000-RiskSettlements.js';
import { LedgerTail1765690000000 } from './1765690000000-LedgerTail.js';
import { ItemCounts1765700000000 } from './1765700000000-ItemCounts.js';

/** Every migration, oldest first. Listed explicitly so that the compiled app and the tests load the same set. */
export const MIGRATIONS = [
  Foundation1764300000000,
  HealthRecords1764400000000,
  Ledger1764500000000,
  Escalation1764600000000,
  Imports1764700000000,
  IdAccessLog1764800000000,
  ItemsListIndex1764900000000,
  EscalationRunProgress1765000000000,
  ClosedOnAndEnrollmentChanges1765013000000,
  ExactUsernamesAndTokenVersion1765031000000,
  ImportErrorsOmitted1765057000000,
  SchemaMatchesEntities1765100000000,
  FollowUpResults1765200000000,
  MajorDiseaseTreatment1765210000000,
  RegistryChanges1765300000000,
  ReconciliationSource1765300000001,
  ClosureReview1765400000000,
  RegistryApplies1765519000000,
  RegistryPages1765600000000,
  ContractRenewal1765610000000,
  CheckRuns1765630000000,
  RiskSettlements1765660000000,
  LedgerTail1765690000000,
  ItemCounts1765700000000,
];
