import { idNumberProblem, normalizeIdNumber } from '../common/id-number.js';
import type { RosterColumn, RosterRow } from '../uploads/roster-file.js';
import { ID_REASONS, IMPRECISE_ID, quote } from '../uploads/roster-values.js';
import type { SettlementRowError } from './settlement-upload.entity.js';

/** The insurance bureau's settlement records (SPEC §6.6): Chinese headers, or the English keys. */
export const SETTLEMENT_COLUMNS = [
  { key: 'settlementNo', header: '结算编号', aliases: ['结算流水号'] },
  { key: 'idNumber', header: '身份证号', aliases: ['公民身份号码'] },
  { key: 'name', header: '姓名' },
  { key: 'visitType', header: '就诊类型' },
  { key: 'admittedOn', header: '入院日期' },
  { key: 'dischargedOn', header: '出院日期' },
  { key: 'settledOn', header: '结算日期' },
  { key: 'institution', header: '医疗机构', aliases: ['定点医疗机构'] },
  { key: 'totalFen', header: '总费用', aliases: ['医疗总费用'] },
  { key: 'fundFen', header: '统筹基金支付' },
  { key: 'majorFen', header: '大病保险支付' },
  { key: 'assistFen', header: '医疗救助支付' },
  { key: 'otherFen', header: '其他支付' },
] as const satisfies readonly RosterColumn<string>[];

export type SettlementField = (typeof SETTLEMENT_COLUMNS)[number]['key'];

const AMOUNTS = ['totalFen', 'fundFen', 'majorFen', 'assistFen', 'otherFen'] as const;
type AmountField = (typeof AMOUNTS)[number];

/** A settlement row that passed its own checks: amounts in fen. */
export interface SettlementRow {
  line: number;
  settlementNo: string;
  refund: boolean;
  idNumber: string;
  name: string;
  visitType: string;
  admittedOn: string | null;
  dischargedOn: string | null;
  settledOn: string;
  institution: string;
  totalFen: number;
  fundFen: number;
  majorFen: number;
  assistFen: number;
  otherFen: number;
  burdenFen: number;
}

export type ReadSettlement = { ok: true; row: SettlementRow } | { ok: false; errors: SettlementRowError[] };

/** The largest amount a row may carry (元): ten million, well inside the fen column. */
const MAX_YUAN = 10_000_000;
const AMOUNT = /^(-)?(\d{1,8})(?:\.(\d{1,2}))?$/;

/** 元 with at most two decimals (thousands separators and a ¥ tolerated) → fen; null when it is not such an amount. */
export function parseYuan(text: string): number | null {
  // Most amounts are plain (12.50): only the others are cleaned first.
  const match = AMOUNT.exec(text) ?? AMOUNT.exec(text.replace(/[,，¥￥\s]/g, ''));
  if (!match) {
    return null;
  }
  const fen = Number(match[2]) * 100 + Number((match[3] ?? '').padEnd(2, '0'));
  if (fen > MAX_YUAN * 100) {
    return null;
  }
  return match[1] && fen !== 0 ? -fen : fen;
}

const DATE = /^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$/;

/** Days read recently (a year's file has a few hundred distinct ones): text → parseDay's answer. */
const days = new Map<string, string | null>();
const MAX_CACHED_DAYS = 4096;

/** 2020-01-05, 2020/1/5, 20200105 or 2020年1月5日 → 2020-01-05; null for anything else or a day that does not exist. */
export function parseDay(text: string): string | null {
  const cached = days.get(text);
  if (cached !== undefined) {
    return cached;
  }
  if (days.size >= MAX_CACHED_DAYS) {
    days.clear();
  }
  const day = readDay(text);
  days.set(text, day);
  return day;
}

function readDay(text: string): string | null {
  const match = DATE.exec(text);
  if (!match) {
    return null;
  }
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    return null;
  }
  return `${match[1]}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const AMOUNT_NAMES: Record<AmountField, string> = {
  totalFen: '总费用',
  fundFen: '统筹基金支付',
  majorFen: '大病保险支付',
  assistFen: '医疗救助支付',
  otherFen: '其他支付',
};

/**
 * Checks a row of an upload for `year`: every problem is one error naming its column. A row whose
 * 总费用 is negative is a refund: all its amounts must be ≤ 0 (a charge's ≥ 0), and the payments may
 * not exceed the total; whether the settlement it refunds is known is the runner's check.
 */
export function readSettlementRow(raw: RosterRow<SettlementField>, year: number, today: string): ReadSettlement {
  const v = raw.values;
  const errors: SettlementRowError[] = [];
  const fail = (field: string, reason: string) => errors.push({ line: raw.line, field, reason });
  if (!v.settlementNo) {
    fail('settlementNo', '结算编号为空');
  } else if (v.settlementNo.length > 64) {
    fail('settlementNo', '结算编号超过64个字符');
  }
  const idNumber = normalizeIdNumber(v.idNumber);
  if (!idNumber) {
    fail('idNumber', '身份证号为空');
  } else if (raw.imprecise.includes('idNumber')) {
    fail('idNumber', IMPRECISE_ID);
  } else {
    const problem = idNumberProblem(idNumber, today);
    if (problem) {
      fail('idNumber', ID_REASONS[problem]);
    }
  }
  const settledOn = parseDay(v.settledOn);
  if (!settledOn) {
    fail('settledOn', v.settledOn ? `结算日期${quote(v.settledOn)}不是日期（如 ${year}-03-15）` : '结算日期为空');
  } else if (Number(settledOn.slice(0, 4)) !== year) {
    fail('settledOn', `结算日期 ${settledOn} 不在本次上传的年度 ${year} 内`);
  }
  const optionalDay = (field: 'admittedOn' | 'dischargedOn', label: string): string | null => {
    const day = v[field] ? parseDay(v[field]) : null;
    if (v[field] && !day) {
      fail(field, `${label}${quote(v[field])}不是日期`);
    }
    return day;
  };
  const admittedOn = optionalDay('admittedOn', '入院日期');
  const dischargedOn = optionalDay('dischargedOn', '出院日期');
  const fen = {} as Record<AmountField, number>;
  for (const field of AMOUNTS) {
    const text = v[field];
    const value = text === '' && field !== 'totalFen' ? 0 : parseYuan(text);
    if (value === null) {
      fail(
        field,
        text === '' ? `${AMOUNT_NAMES[field]}为空` : `${AMOUNT_NAMES[field]}${quote(text)}不是金额（元，最多两位小数）`,
      );
    } else {
      fen[field] = value;
    }
  }
  if (errors.length > 0) {
    return { ok: false, errors };
  }
  const refund = fen.totalFen < 0;
  const payments = fen.fundFen + fen.majorFen + fen.assistFen + fen.otherFen;
  const burdenFen = fen.totalFen - payments;
  const signs = AMOUNTS.every((f) => (refund ? fen[f] <= 0 : fen[f] >= 0));
  if (!signs) {
    fail('totalFen', refund ? '退费行（总费用为负）的各项支付应为零或负数' : '总费用不为负时，各项支付不能为负数');
  } else if (refund ? burdenFen > 0 : burdenFen < 0) {
    fail('totalFen', '统筹、大病、救助与其他支付之和超过了总费用');
  }
  if (errors.length > 0) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    row: {
      line: raw.line,
      settlementNo: v.settlementNo,
      refund,
      idNumber,
      name: v.name.slice(0, 64),
      visitType: v.visitType.slice(0, 32),
      admittedOn,
      dischargedOn,
      settledOn: settledOn!,
      institution: v.institution.slice(0, 128),
      ...fen,
      burdenFen,
    },
  };
}
