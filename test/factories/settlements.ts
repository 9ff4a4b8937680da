import request from 'supertest';
import type { TestApp } from '../utils/create-test-app.js';
import { toCsv, waitUntilFinished } from './rosters.js';

/** The settlement file's headers (SPEC §6.6). */
export const SETTLEMENT_HEADER = [
  '结算编号',
  '身份证号',
  '姓名',
  '就诊类型',
  '入院日期',
  '出院日期',
  '结算日期',
  '医疗机构',
  '总费用',
  '统筹基金支付',
  '大病保险支付',
  '医疗救助支付',
  '其他支付',
];

let counter = 0;

/** A settlement number no other test file uses. */
export const newSettlementNo = (): string =>
  `JS${Date.now().toString(36)}${process.pid.toString(36)}${(counter++).toString(36)}`.toUpperCase();

export interface SettlementInput {
  no?: string;
  idNumber: string;
  name?: string;
  settledOn: string;
  /** 元, as written in the file. */
  total: string;
  fund?: string;
  major?: string;
  assist?: string;
  other?: string;
}

/** One row of the file: 住院 at 区人民医院, admitted and discharged on the settlement day. */
export function settlementRow(s: SettlementInput): string[] {
  return [
    s.no ?? newSettlementNo(),
    s.idNumber,
    s.name ?? '测试患者',
    '住院',
    s.settledOn,
    s.settledOn,
    s.settledOn,
    '区人民医院',
    s.total,
    s.fund ?? '0',
    s.major ?? '0',
    s.assist ?? '0',
    s.other ?? '0',
  ];
}

export const settlementCsv = (rows: string[][]): string => toCsv(SETTLEMENT_HEADER, rows);

/** Uploads a settlement file for `year` and waits for it; answers the upload's final state. */
export async function uploadSettlements(
  t: TestApp,
  token: string,
  year: number,
  content: string | Buffer,
  name = 'settlements.csv',
): Promise<Record<string, unknown>> {
  const res = await request(t.http)
    .post('/api/risk/settlements')
    .set('Authorization', token)
    .field('year', String(year))
    .attach('file', Buffer.from(content), name)
    .expect(202);
  return waitUntilFinished(t, token, `/api/risk/settlements/${(res.body as { id: number }).id}`);
}
