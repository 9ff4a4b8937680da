import type { DataSource } from 'typeorm';

/**
 * The two statements bulk imports send per batch, written for the driver at hand with `?`
 * placeholders (mysql2 and better-sqlite3 both take them): a keyed SELECT of up to a thousand rows,
 * and a multi-row upsert. Built by hand because TypeORM's query builder spends more time composing
 * a thousand-row statement (parameter names checked one against another) than the database spends
 * running it.
 */
export class BulkSql {
  private readonly mysql: boolean;

  constructor(private readonly db: DataSource) {
    this.mysql = db.options.type === 'mysql';
  }

  private name(identifier: string): string {
    return this.db.driver.escape(identifier);
  }

  private list(columns: readonly string[]): string {
    return columns.map((c) => this.name(c)).join(', ');
  }

  /** `SELECT columns FROM table WHERE key IN (?, …)`, locking the rows on MySQL unless told otherwise. */
  select(table: string, columns: readonly string[], key: string, count: number, lock = true): string {
    const keys = new Array<string>(count).fill('?').join(', ');
    const forUpdate = lock && this.mysql ? ' FOR UPDATE' : '';
    return `SELECT ${this.list(columns)} FROM ${this.name(table)} WHERE ${this.name(key)} IN (${keys})${forUpdate}`;
  }

  /** A plain multi-row `INSERT … VALUES (…), (…)` of `rows` rows. */
  insert(table: string, columns: readonly string[], rows: number): string {
    const row = `(${new Array<string>(columns.length).fill('?').join(', ')})`;
    return `INSERT INTO ${this.name(table)} (${this.list(columns)}) VALUES ${new Array<string>(rows).fill(row).join(', ')}`;
  }

  /**
   * `INSERT … VALUES (…), (…)` of `rows` rows that, for a row whose unique `key` (one column or
   * several) exists, sets the
   * `update` columns from the new row (by default every other column) and adds 1 to the `increment`
   * columns instead.
   */
  upsert(
    table: string,
    columns: readonly string[],
    key: string | readonly string[],
    rows: number,
    options: { update?: readonly string[]; increment?: readonly string[] } = {},
  ): string {
    const keys = typeof key === 'string' ? [key] : key;
    const increment = options.increment ?? [];
    const update = options.update ?? columns.filter((c) => !keys.includes(c) && !increment.includes(c));
    const row = `(${new Array<string>(columns.length).fill('?').join(', ')})`;
    const values = new Array<string>(rows).fill(row).join(', ');
    const set = [
      ...update.map((c) => `${this.name(c)} = ${this.mysql ? `VALUES(${this.name(c)})` : `excluded.${this.name(c)}`}`),
      ...increment.map((c) => `${this.name(c)} = ${this.name(c)} + 1`),
    ].join(', ');
    const conflict = this.mysql
      ? `ON DUPLICATE KEY UPDATE ${set}`
      : `ON CONFLICT (${this.list(keys)}) DO UPDATE SET ${set}`;
    return `INSERT INTO ${this.name(table)} (${this.list(columns)}) VALUES ${values} ${conflict}`;
  }
}
