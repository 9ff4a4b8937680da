import { buildDemoDistrict } from './demo-district.js';
import {
  buildDemoSettlements,
  DEMO_RISK_OUTSIDERS,
  DEMO_RISK_REGISTERED,
  DEMO_RISK_THRESHOLDS,
} from './demo-settlements.js';

describe('the demo 2020 settlements', () => {
  const district = buildDemoDistrict();
  const rows = buildDemoSettlements(district);
  const registered = new Set(district.households.flatMap((h) => h.members.map((m) => m.idNumber)));
  const burdens = new Map<string, number>();
  rows.forEach((r) => burdens.set(r.idNumber, (burdens.get(r.idNumber) ?? 0) + r.burdenFen));
  const income = DEMO_RISK_THRESHOLDS.ruralIncome * 100;

  it('are the same every time', () => {
    expect(buildDemoSettlements(district)).toEqual(rows);
  });

  it('put a handful of registered persons and a few outsiders over their thresholds', () => {
    const over = [...burdens].filter(([id, fen]) =>
      registered.has(id)
        ? fen >= income * DEMO_RISK_THRESHOLDS.registeredRatio
        : fen >= income * DEMO_RISK_THRESHOLDS.otherRatio,
    );
    expect(over.filter(([id]) => registered.has(id))).toHaveLength(DEMO_RISK_REGISTERED);
    expect(over.filter(([id]) => !registered.has(id))).toHaveLength(DEMO_RISK_OUTSIDERS);
  });

  it('hold unique settlement numbers per kind, refunds of settlements of the file', () => {
    const keys = rows.map((r) => `${r.settlementNo}:${r.refund}`);
    expect(new Set(keys).size).toBe(rows.length);
    const charges = new Set(rows.filter((r) => !r.refund).map((r) => r.settlementNo));
    expect(rows.filter((r) => r.refund).every((r) => charges.has(r.settlementNo) && r.totalFen < 0)).toBe(true);
    expect(rows.some((r) => r.refund)).toBe(true);
  });
});
