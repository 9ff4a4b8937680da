import { stringify } from 'csv-stringify';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { dirname, join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { RELATION_LABELS } from '../households/household-labels.js';
import { RELATIONS } from '../households/person.entity.js';
import { Region } from '../regions/region.entity.js';
import {
  EXAMPLE_ID_NUMBER,
  regionsForTemplate,
  type TemplateColumn,
  writeRosterTemplate,
} from '../uploads/roster-template.js';
import type { RosterColumn } from '../uploads/roster-file.js';
import { INSURANCE_COLUMNS, type InsuranceField } from './insurance-rows.js';
import {
  HOUSEHOLD_TYPE_LABELS,
  POVERTY_COLUMNS,
  POVERTY_PERSON_STATUS_LABELS,
  type PovertyField,
} from './poverty-rows.js';
import type { ReconciliationSource } from './reconciliation.entity.js';

type Columns<K extends string> = Record<K, Omit<TemplateColumn, 'header'>>;

/** The template's file name, without the format. */
export const TEMPLATE_NAMES: Record<ReconciliationSource, string> = {
  insurance: '医保参保花名册模板',
  poverty: '扶贫办建档立卡花名册模板',
};

/**
 * Where the demo district's poverty register is written for the demo user to upload (DEMO_DATA;
 * src/app/demo/demo-poverty-roster.ts): the data directory beside DB_PATH, as the generated secret.
 * A file on the server rather than a download: it holds full ID numbers, which no page serves.
 */
export function demoPovertyRosterPath(config: Pick<AppConfig, 'DB_PATH'>): string {
  return join(dirname(config.DB_PATH), 'demo', '示范区扶贫办建档立卡花名册（演示）.csv');
}

/**
 * A roster template: CSV headers, or XLSX with drop-down lists (是/否; 户类型, 人员状态, 与户主关系,
 * the region codes), an example row and the region codes.
 */
export async function writeReconciliationTemplate(
  db: DataSource,
  thisYear: number,
  source: ReconciliationSource,
  format: 'csv' | 'xlsx',
  out: Writable,
): Promise<void> {
  const write = async <K extends string>(title: string, roster: readonly RosterColumn<K>[], columns: Columns<K>) => {
    if (format === 'csv') {
      await pipeline(Readable.from([roster.map((c) => c.header)]), stringify({ bom: true }), out);
      return;
    }
    const regions = regionsForTemplate(await db.getRepository(Region).find());
    await writeRosterTemplate(
      out,
      title,
      roster.map((c) => ({ header: c.header, ...columns[c.key] })),
      regions,
    );
  };
  if (source === 'insurance') {
    const yesNo = ['是', '否'];
    const columns: Columns<InsuranceField> = {
      idNumber: { width: 22, text: true, example: EXAMPLE_ID_NUMBER },
      name: { width: 12, example: '张三' },
      year: { width: 10, example: thisYear },
      enrolled: { width: 10, choices: yesNo, example: '是' },
      subsidized: { width: 14, choices: yesNo, example: '是' },
    };
    await write('医保参保花名册', INSURANCE_COLUMNS, columns);
    return;
  }
  const columns: Columns<PovertyField> = {
    registryNo: { width: 16, text: true, example: '6101990010010001' },
    regionCode: { width: 16, text: true, regionCodes: true, example: '610199001001' },
    headName: { width: 12, example: '张三' },
    idNumber: { width: 22, text: true, example: EXAMPLE_ID_NUMBER },
    name: { width: 12, example: '张三' },
    relation: { width: 12, choices: RELATIONS.map((r) => RELATION_LABELS[r]), example: RELATION_LABELS.head },
    householdType: { width: 12, choices: Object.values(HOUSEHOLD_TYPE_LABELS), example: HOUSEHOLD_TYPE_LABELS.lifted },
    liftedYear: { width: 10, example: 2019 },
    personStatus: { width: 10, choices: Object.values(POVERTY_PERSON_STATUS_LABELS), example: '正常' },
  };
  await write('扶贫办建档立卡花名册', POVERTY_COLUMNS, columns);
}
