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
