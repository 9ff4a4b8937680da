import { HOUSEHOLD_STATUS_LABELS, PERSON_STATUS_LABELS } from '../households/household-labels.js';
import type { RegistryChangeKind } from './registry-change.entity.js';

/** 写入登记信息's changes as the pages name them. */
export const REGISTRY_CHANGE_LABELS: Record<RegistryChangeKind, string> = {
  household_added: '新增户',
  person_added: '新增人员',
  household_status: '户状态',
  person_status: '人员状态',
  person_household: '所在户',
};

/** A change's before or after in words: statuses by their labels, a household by its 户编号, none as （无）. */
export function registryStateText(change: RegistryChangeKind, value: string | null): string {
  if (value === null) {
    return '（无）';
  }
  if (change === 'household_status' || change === 'household_added') {
    return HOUSEHOLD_STATUS_LABELS[value as keyof typeof HOUSEHOLD_STATUS_LABELS] ?? value;
  }
  if (change === 'person_status' || change === 'person_added') {
    return PERSON_STATUS_LABELS[value as keyof typeof PERSON_STATUS_LABELS] ?? value;
  }
  return `户编号 ${value}`;
}
