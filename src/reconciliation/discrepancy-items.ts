import { maskIdNumber } from '../common/id-number.js';
import { FIRST_INSURANCE_YEAR } from '../common/programme-years.js';
import { insuranceGapKey, legacyInsuranceGapKeys, povertyGapKey } from '../ledger/gap-keys.js';
import type { NewItem } from '../ledger/items.service.js';
import { DISCREPANCY_LABELS, type Discrepancy } from './discrepancy.entity.js';
import type { Reconciliation } from './reconciliation.entity.js';

/**
 * A registered person whose name another department's register has otherwise: one gap whichever
 * roster finds it (the insurance bureau's, any year, or the poverty office's), so one open item.
 */
export function nameGapKey(personId: number): string {
  return `name_gap:person:${personId}`;
}

/** The keys open items of that gap were filed under before the shared key: the poverty roster's, and the insurance roster's per year. */
export function legacyNameGapKeys(personId: number, lastYear: number): string[] {
  const years = Array.from({ length: lastYear - FIRST_INSURANCE_YEAR + 1 }, (_, i) => FIRST_INSURANCE_YEAR + i);
  return [
    povertyGapKey('name_mismatch', `person:${personId}`),
    ...years.map((year) => `reconciliation:name_mismatch:${year}:person:${personId}`),
  ];
}

/**
 * A discrepancy as an item: the title names the gap (and the insurance year), never the person
 * (the subject, linked separately). Insurance gaps go to the insurance bureau (category
 * `insurance`), the poverty register's to the health bureau (category `data`, 信息数据).
 * `digest` keys an unregistered ID number, so that it cannot be read back from the item's key.
 */
export function itemOfDiscrepancy(
  rec: Reconciliation,
  d: Discrepancy,
  campaignId: number,
  regionCode: string,
  digest: (idNumber: string) => string,
  thisYear: number,
): NewItem {
  const label = DISCREPANCY_LABELS[d.kind];
  // A name found different by either roster is the same gap: one key for both (and the keys before it).
  const nameGap =
    d.kind === 'name_mismatch' && d.personId
      ? { dedupeKey: nameGapKey(d.personId), aliasKeys: legacyNameGapKeys(d.personId, thisYear + 1) }
      : null;
  const where = d.line === null ? '花名册中无此人' : `花名册第${d.line}行`;
  const description = `${d.detail ?? label}。身份证号 ${maskIdNumber(d.idNumber)}，${where}，数据比对 #${rec.id}。`;
  if (rec.source === 'poverty') {
    const household = d.kind === 'household_status_mismatch' && d.householdId !== null;
    const subject = household
      ? `household:${d.householdId}`
      : d.personId
        ? `person:${d.personId}`
        : `id:${digest(d.idNumber)}`;
    return {
      campaignId,
      category: 'data',
      title: `数据比对（扶贫办）：${label}`,
      description,
      subjectType: household ? 'household' : d.personId ? 'person' : null,
      subjectId: household ? d.householdId : d.personId,
      regionCode,
      responsibleDept: 'health',
      source: 'reconciliation',
      dedupeKey: povertyGapKey(d.kind, subject),
      ...nameGap,
      finder: `reconciliation:${rec.id}`,
      finderNote: `数据比对 #${rec.id}（扶贫办花名册）也发现此问题：${description}`,
    };
  }
  const subject = d.personId ? `person:${d.personId}` : `id:${digest(d.idNumber)}`;
  // A registered person without enrollment is the gap the check not_insured finds too: one key for both.
  const keys =
    d.kind === 'registered_not_insured' && d.personId
      ? {
          dedupeKey: insuranceGapKey(d.personId, rec.year),
          aliasKeys: legacyInsuranceGapKeys(d.personId, rec.year),
        }
      : (nameGap ?? { dedupeKey: `reconciliation:${d.kind}:${rec.year}:${subject}` });
  return {
    campaignId,
    category: 'insurance',
    title: `数据比对：${label}（${rec.year}年度）`,
    description,
    subjectType: d.personId ? 'person' : null,
    subjectId: d.personId,
    regionCode,
    responsibleDept: 'insurance',
    source: 'reconciliation',
    finder: `reconciliation:${rec.id}`,
    finderNote: `数据比对 #${rec.id}（${rec.year}年度）也发现此问题：${description}`,
    ...keys,
  };
}
