/**
 * What the verification of a 因病返贫致贫 risk alert found (SPEC §6.6): an item of source `risk_alert`
 * closes only with one of these, beside the resolution that gives the reason.
 */
export const RISK_OUTCOMES = ['monitored', 'assisted', 'low_income', 'no_risk'] as const;
/** monitored 纳入监测, assisted 医疗救助, low_income 纳入低保, no_risk 排除. */
export type RiskOutcome = (typeof RISK_OUTCOMES)[number];

export const RISK_OUTCOME_LABELS: Record<RiskOutcome, string> = {
  monitored: '纳入监测',
  assisted: '医疗救助',
  low_income: '纳入低保',
  no_risk: '排除',
};
