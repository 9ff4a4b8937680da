import request from 'supertest';
import type { TestApp } from '../utils/create-test-app.js';

/** The household roster's template headers (SPEC §3). */
export const HOUSEHOLD_HEADER = [
  '户编号',
  '区划代码',
  '致贫原因',
  '户状态',
  '建档年度',
  '身份证号',
  '姓名',
  '与户主关系',
];
/** The insurance roster's headers (SPEC §3). */
export const INSURANCE_HEADER = ['身份证号', '姓名', '年度', '是否参保', '是否资助参保'];

/** The poverty office's register (扶贫办, SPEC §6.5), one row per person. */
export const POVERTY_HEADER = [
  '户编号',
  '区划代码',
  '户主姓名',
  '身份证号',
  '姓名',
  '与户主关系',
  '户类型',
  '脱贫年度',
  '人员状态',
];

const cell = (value: string | number): string => {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** CSV text (a UTF-8 BOM unless told otherwise) with the header and the rows, one line each. */
export function toCsv(header: string[], rows: (string | number)[][], options: { bom?: boolean } = {}): string {
  const lines = [header, ...rows].map((r) => r.map(cell).join(','));
  return `${options.bom === false ? '' : '\uFEFF'}${lines.join('\r\n')}\r\n`;
}

/** Polls a job route until its status is done or failed; answers the last body. */
export async function waitUntilFinished(
  t: TestApp,
  token: string,
  url: string,
  ms = 60_000,
): Promise<Record<string, unknown>> {
  const until = Date.now() + ms;
  for (;;) {
    const res = await request(t.http).get(url).set('Authorization', token).expect(200);
    const body = res.body as Record<string, unknown>;
    if (body.status === 'done' || body.status === 'failed') {
      return body;
    }
    if (Date.now() > until) {
      throw new Error(`${url} did not finish: ${JSON.stringify(body)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
