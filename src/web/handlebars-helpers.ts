import { hasPermission, Permission, type Role } from '../auth/roles.js';
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import type Handlebars from 'handlebars';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { dateText, daysLeftText as daysText } from '../common/dates.js';
import { ESCALATION_LABELS, STATUS_LABELS } from '../ledger/item-labels.js';
import type { Burndown } from '../reports/burndown.service.js';
import { barChart, type BarChartOptions, type BarRow, escapeXml } from './bar-chart.js';
import { burndownChart } from './burndown-chart.js';
import { LABELS } from './labels.js';

dayjs.extend(utc);
dayjs.extend(timezone);

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A string or number as text; anything else (an object, null) as nothing. */
const textOf = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

/** 2020-05-31 → 2020年5月31日; an instant (Date or ISO string) is shown on the district's calendar. */
export function chineseDate(value: unknown, timeZone: string): string {
  if (value === null || value === undefined || value === '') {
    return '';
  }
  const calendar = typeof value === 'string' ? CALENDAR_DATE.exec(value) : null;
  if (calendar) {
    return dateText(value as string);
  }
  const d = dayjs(value as string | Date);
  return d.isValid() ? d.tz(timeZone).format('YYYY年M月D日') : textOf(value);
}

/** An instant as 2020年4月15日 10:05 in the district's time zone. */
export function chineseDateTime(value: unknown, timeZone: string): string {
  if (value === null || value === undefined || value === '') {
    return '';
  }
  const d = dayjs(value as string | Date);
  return d.isValid() ? d.tz(timeZone).format('YYYY年M月D日 HH:mm') : textOf(value);
}

/** deadline − today in days → 剩余 5 天 / 今天到期 / 逾期 3 天; nothing for a closed item (null). */
export function daysLeftText(days: unknown): string {
  return typeof days === 'number' ? daysText(days) : '';
}

/** 66 → 66.0%; null → —. */
export function percentText(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? `${value.toFixed(1)}%` : '—';
}

/** A file's size for people: 812 字节, 12.3 KB, 1.2 MB. */
export function fileSizeText(bytes: unknown): string {
  const n = Number(bytes);
  if (typeof bytes !== 'number' || !Number.isFinite(n) || n < 0) {
    return '';
  }
  if (n < 1024) {
    return `${n} 字节`;
  }
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The first 12 hex digits of a sha256 and an ellipsis: enough to tell files apart and to find one. */
export function shortHash(sha256: unknown): string {
  return typeof sha256 === 'string' && sha256.length > 12 ? `${sha256.slice(0, 12)}…` : textOf(sha256);
}

/** The Chinese label of a code from one of the LABELS tables; an unknown code shows as itself. */
export function labelOf(table: unknown, value: unknown): string {
  const labels = typeof table === 'string' && Object.hasOwn(LABELS, table) ? LABELS[table] : undefined;
  const key = textOf(value);
  return labels && Object.hasOwn(labels, key) ? labels[key] : key;
}

/** <span class="badge level-3">逾期</span> for an escalation level (0 … 4). */
export function levelBadgeHtml(level: unknown): string {
  const n = Number(level);
  if (!Number.isInteger(n) || n < 0 || n >= ESCALATION_LABELS.length) {
    return '';
  }
  return `<span class="badge level-${n}">${escapeXml(ESCALATION_LABELS[n])}</span>`;
}

/** <span class="badge status-closed">已销号</span>. */
export function statusBadgeHtml(status: unknown): string {
  const key = String(status);
  if (!Object.hasOwn(STATUS_LABELS, key)) {
    return escapeXml(key);
  }
  return `<span class="badge status-${escapeXml(key.replace('_', '-'))}">${escapeXml(STATUS_LABELS[key as keyof typeof STATUS_LABELS])}</span>`;
}

/** What the burn-down helper draws: the series and the chart's accessible name. */
export interface BurndownModel {
  burndown: Burndown;
  title: string;
}

export interface ChartModel {
  rows: BarRow[];
  options: BarChartOptions;
}

type HelperArgs = unknown[];
/** Handlebars passes its options object last; the arguments the template wrote come before it. */
const given = (args: HelperArgs): unknown[] => args.slice(0, -1);

/**
 * The helpers the templates use. Text helpers return plain strings, which Handlebars escapes in
 * {{ }}; the few that return markup (SafeString) escape every input themselves first.
 */
export function registerHelpers(hb: typeof Handlebars, options: { timeZone: string }): void {
  const { timeZone } = options;
  const safe = (html: string) => new hb.SafeString(html);
  hb.registerHelper('date', (value: unknown) => chineseDate(value, timeZone));
  hb.registerHelper('datetime', (value: unknown) => chineseDateTime(value, timeZone));
  hb.registerHelper('daysLeft', (days: unknown) => daysLeftText(days));
  hb.registerHelper('percent', (value: unknown) => percentText(value));
  hb.registerHelper('zh', (table: unknown, value: unknown) => labelOf(table, value));
  hb.registerHelper('fileSize', (bytes: unknown) => fileSizeText(bytes));
  hb.registerHelper('shortHash', (sha256: unknown) => shortHash(sha256));
  hb.registerHelper('yesno', (value: unknown) => (value ? '是' : '否'));
  hb.registerHelper('eq', (a: unknown, b: unknown) => String(a) === String(b));
  hb.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
  hb.registerHelper('and', (...args: HelperArgs) => given(args).every(Boolean));
  hb.registerHelper('or', (...args: HelperArgs) => given(args).some(Boolean));
  hb.registerHelper('not', (value: unknown) => !value);
  // What the user typed when there is something, else the record's value (a re-rendered form).
  hb.registerHelper('either', (typed: unknown, value: unknown) =>
    typed !== undefined && typed !== null && typed !== '' ? typed : value,
  );
  // Whether the signed-in role holds a permission (roles.ts decides; `{{#if (may me.role "items.create")}}`).
  hb.registerHelper('may', (role: unknown, permission: unknown) =>
    Object.values(Permission).includes(permission as Permission)
      ? hasPermission(role as Role, permission as Permission)
      : false,
  );
  hb.registerHelper('levelBadge', (level: unknown) => safe(levelBadgeHtml(level)));
  hb.registerHelper('statusBadge', (status: unknown) => safe(statusBadgeHtml(status)));
  // The chart builder escapes every label and note (bar-chart.ts), so its markup is safe to insert.
  hb.registerHelper('barChart', (chart: ChartModel | undefined) =>
    chart ? safe(barChart(chart.rows, chart.options)) : '',
  );
  // Likewise the burn-down (burndown-chart.ts).
  hb.registerHelper('burndownChart', (model: BurndownModel | undefined) =>
    model ? safe(burndownChart(model.burndown, model.title)) : '',
  );
}

/**
 * Registers every template under `dir` as a partial named by its path without `.hbs`
 * (`partials/pager.hbs` → `{{> pager}}`), synchronously: hbs.registerPartials reads the folder in
 * the background, so a request served right after start could miss a partial.
 */
export function registerPartialsFrom(hb: typeof Handlebars, dir: string): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.hbs')) {
      const file = join(entry.parentPath, entry.name);
      hb.registerPartial(relative(dir, file).replace(/\\/g, '/').slice(0, -'.hbs'.length), readFileSync(file, 'utf8'));
    }
  }
}
