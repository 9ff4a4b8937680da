import type { EntityManager } from 'typeorm';
import { chunk } from '../../common/sql.js';
import { RiskThreshold } from '../../risk/risk-threshold.entity.js';
import { Settlement } from '../../risk/settlement.entity.js';
import { SettlementUpload } from '../../risk/settlement-upload.entity.js';
import type { DemoDistrict } from './demo-district.js';
import { buildDemoSettlements, DEMO_RISK_THRESHOLDS, DEMO_RISK_YEAR } from './demo-settlements.js';

/**
 * The demo's 2020 settlements (as one finished upload) and its 2020 thresholds (issue #20). The risk
 * run is left to the demo user (风险预警 → 运行预警), so the demo's items are as before.
 */
export async function loadDemoRisk(em: EntityManager, district: DemoDistrict): Promise<void> {
  const rows = buildDemoSettlements(district);
  const result = await em.insert(SettlementUpload, {
    year: DEMO_RISK_YEAR,
    status: 'done',
    fileName: `示范区${DEMO_RISK_YEAR}年医保结算数据（演示）.csv`,
    storedName: 'demo',
    format: 'csv',
    encoding: 'utf8',
    rowsTotal: rows.length,
    rowsRead: rows.length,
    inserted: rows.length,
  });
  const uploadId = (result.identifiers[0] as { id: number }).id;
  const lined = rows.map((r, i) => ({ ...r, year: DEMO_RISK_YEAR, uploadId, line: i + 2 }));
  for (const part of chunk(lined, 500)) {
    await em.insert(Settlement, part);
  }
  await em.insert(RiskThreshold, {
    year: DEMO_RISK_YEAR,
    ruralIncomeFen: DEMO_RISK_THRESHOLDS.ruralIncome * 100,
    registeredRatioBp: DEMO_RISK_THRESHOLDS.registeredRatio * 10_000,
    otherRatioBp: DEMO_RISK_THRESHOLDS.otherRatio * 10_000,
  });
}
