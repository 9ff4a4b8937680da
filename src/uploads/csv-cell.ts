/** A cell Excel would run as a formula (=, +, -, @ first): kept as text with a leading apostrophe. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell of a CSV export made safe to open in a spreadsheet (rejected rows and rosters carry user input). */
export function csvCell(value: string | number | null | undefined): string | number {
  if (value === null || value === undefined) {
    return '';
  }
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}
