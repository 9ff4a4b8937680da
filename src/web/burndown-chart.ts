import { daysBetween } from '../common/dates.js';
import type { Burndown, NeededRate } from '../reports/burndown.service.js';
import { escapeXml } from './bar-chart.js';

/**
 * The sentence under the burn-down: the closes a day it takes to reach zero by the deadline, or what
 * stands instead (all closed; the deadline is today; the deadline has passed) — a page read in May
 * 2020 and one read years later both make sense.
 */
export function neededRateText(needed: NeededRate): string {
  switch (needed.kind) {
    case 'cleared':
      return '问题已全部销号';
    case 'per_day':
      return `按当前进度，需日均销号 ${needed.perDay} 个（未销号 ${needed.open} 个，距截止还有 ${needed.daysLeft} 天）`;
    case 'today':
      return `今天截止，仍有 ${needed.open} 个未销号，需今日全部销号`;
    case 'past_deadline':
      return `截止日期已过 ${needed.daysLate} 天，仍有 ${needed.open} 个未销号，请尽快整改销号`;
  }
}

const WIDTH = 680;
const HEIGHT = 240;
const LEFT = 44;
const RIGHT = 16;
const TOP = 16;
const BOTTOM = 36;

const num = (n: number): string => String(Math.round(n * 10) / 10);
/** 2020-05-31 → 5月31日 (with the year when the chart spans more than one). */
const dayLabel = (date: string, withYear: boolean): string => {
  const [y, m, d] = date.split('-').map(Number);
  return withYear ? `${y}年${m}月${d}日` : `${m}月${d}日`;
};

/**
 * 销号燃尽 as SVG markup, built on the server like the bar charts (no script; colours from the
 * stylesheet by class; every text escaped): the open items at the end of each day, the deadline, and
 * — while there is time and work left — the straight line from today's open items to zero on the
 * deadline (the pace the sentence names). Pure: the same input gives the same string.
 */
export function burndownChart(burndown: Burndown, title: string): string {
  const { days, deadline, asOf } = burndown;
  if (days.length === 0) {
    return '';
  }
  const start = days[0].date;
  const end = deadline > asOf ? deadline : asOf;
  const span = Math.max(daysBetween(start, end), 1);
  const max = Math.max(...days.map((d) => d.open), 1);
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (date: string) => LEFT + (Math.max(daysBetween(start, date), 0) / span) * plotW;
  const y = (open: number) => TOP + plotH - (open / max) * plotH;
  const withYear = start.slice(0, 4) !== end.slice(0, 4);
  const points = days.map((d) => `${num(x(d.date))},${num(y(d.open))}`).join(' ');
  const last = days[days.length - 1];
  const pace =
    burndown.needed.kind === 'per_day'
      ? `<line class="burn-needed" x1="${num(x(last.date))}" y1="${num(y(last.open))}" x2="${num(x(deadline))}" y2="${num(y(0))}"></line>`
      : '';
  const deadlineX = num(x(deadline));
  const label = (text: string, at: number, anchor: string) =>
    `<text class="burn-axis" x="${num(at)}" y="${HEIGHT - 12}" text-anchor="${anchor}">${escapeXml(text)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="burndown-chart" role="img" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    `width="100%" preserveAspectRatio="xMinYMin meet"><title>${escapeXml(title)}</title>` +
    `<line class="burn-grid" x1="${LEFT}" y1="${num(y(0))}" x2="${WIDTH - RIGHT}" y2="${num(y(0))}"></line>` +
    `<line class="burn-grid" x1="${LEFT}" y1="${TOP}" x2="${LEFT}" y2="${num(y(0))}"></line>` +
    `<text class="burn-axis" x="${LEFT - 6}" y="${num(y(max) + 4)}" text-anchor="end">${max}</text>` +
    `<text class="burn-axis" x="${LEFT - 6}" y="${num(y(0) + 4)}" text-anchor="end">0</text>` +
    `<line class="burn-deadline" x1="${deadlineX}" y1="${TOP}" x2="${deadlineX}" y2="${num(y(0))}">` +
    `<title>${escapeXml(`截止日期 ${dayLabel(deadline, true)}`)}</title></line>` +
    pace +
    `<polyline class="burn-actual" points="${points}"><title>${escapeXml(
      `${dayLabel(last.date, true)} 未销号 ${last.open} 个`,
    )}</title></polyline>` +
    label(dayLabel(start, withYear), LEFT, 'start') +
    // The deadline's label by its line at the top, clear of the dates under the axis.
    `<text class="burn-axis" x="${num(x(deadline) + (x(deadline) > WIDTH - 160 ? -4 : 4))}" y="${TOP + 12}" ` +
    `text-anchor="${x(deadline) > WIDTH - 160 ? 'end' : 'start'}">${escapeXml(`截止 ${dayLabel(deadline, withYear)}`)}</text>` +
    (asOf <= deadline ? label(dayLabel(end, withYear), x(end), 'end') : '') +
    (asOf > deadline ? label(`今天 ${dayLabel(asOf, withYear)}`, x(asOf), 'end') : '') +
    `</svg>`
  );
}
