import { INDICATOR_DEFINITIONS, REGISTERED_PERSONS } from '../reports/indicator-definitions.js';
import type { Indicator, IndicatorSet, Indicators } from '../reports/indicators.service.js';

/** One cell: the rate in percent (null when nothing to count) with its numerator and denominator. */
interface Cell {
  percent: number | null;
  numerator: number;
  denominator: number;
}

const cell = (i: Indicator): Cell => ({
  percent: i.value === null ? null : Math.round(i.value * 1000) / 10,
  numerator: i.numerator,
  denominator: i.denominator,
});

const cells = (set: IndicatorSet): Cell[] => INDICATOR_DEFINITIONS.map((d) => cell(set[d.key]));

/**
 * The indicators as the 工作台 and the bulletin print them: a column per indicator, a row per
 * sub-district and the district's row, and the written definitions to print under the table.
 */
export function indicatorTable(indicators: Indicators, districtName: string) {
  return {
    asOf: indicators.asOf,
    headers: INDICATOR_DEFINITIONS.map((d) => d.name),
    rows: indicators.byRegion.map((r) => ({ name: r.name, cells: cells(r) })),
    total: { name: districtName, cells: cells(indicators.district) },
    population: REGISTERED_PERSONS,
    definitions: INDICATOR_DEFINITIONS,
  };
}
