/** The escape character for LIKE patterns: '!' behaves the same on SQLite and MySQL (a backslash does not). */
export const LIKE_ESCAPE = "ESCAPE '!'";

function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, '!$&');
}

export const likePrefix = (text: string): string => `${escapeLike(text)}%`;
export const likeContains = (text: string): string => `%${escapeLike(text)}%`;
export const likeSuffix = (text: string): string => `%${escapeLike(text)}`;

/** Splits rows into chunks for multi-row INSERTs that stay under the drivers' parameter limits. */
export function chunk<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) {
    out.push(rows.slice(i, i + size));
  }
  return out;
}

/** SQL for the whole days from `from` to `to` (column names or :params holding YYYY-MM-DD dates). */
export function daysBetweenSql(dbType: string, from: string, to: string): string {
  return dbType === 'mysql' ? `DATEDIFF(${to}, ${from})` : `CAST(julianday(${to}) - julianday(${from}) AS INTEGER)`;
}

/** SQL for the date `days` days after `date` (a column or :param holding YYYY-MM-DD; `days` an integer expression). */
export function addDaysSql(dbType: string, date: string, days: string): string {
  return dbType === 'mysql'
    ? `DATE_ADD(${date}, INTERVAL (${days}) DAY)`
    : `date(${date}, '+' || (${days}) || ' days')`;
}

/** SQL for the integer quotient of two non-negative integer expressions. */
export function intDivSql(dbType: string, dividend: string, divisor: string): string {
  return dbType === 'mysql' ? `((${dividend}) DIV (${divisor}))` : `((${dividend}) / (${divisor}))`;
}

/** SQL for the 12-digit code of the sub-district a village or sub-district code (a column) lies in. */
export function subdistrictCodeSql(dbType: string, code: string): string {
  return dbType === 'mysql' ? `CONCAT(SUBSTR(${code}, 1, 9), '000')` : `(SUBSTR(${code}, 1, 9) || '000')`;
}
