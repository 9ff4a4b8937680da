import type { EntityManager } from 'typeorm';

/** One table's part of the version: rows, the highest id, the sum of the rows' versions. */
type Tally = [count: number, top: number, versions: number];

/**
 * The registry's version, as an apply of a poverty roster checks it: for `households` and for
 * `persons`, the number of rows, the highest id and the sum of the rows' `version`. Nothing deletes
 * from either table, every insert raises the count and every update bumps a row's version (the API,
 * the imports and the apply alike), so any change of the registry changes it — and an apply that
 * knows what it wrote can carry it forward without reading the tables again.
 */
export class RegistryVersion {
  private constructor(
    private readonly households: Tally,
    private readonly persons: Tally,
  ) {}

  static async read(em: EntityManager): Promise<RegistryVersion> {
    const tally = async (table: 'households' | 'persons'): Promise<Tally> => {
      const [row] = await em.query<{ n: unknown; top: unknown; v: unknown }[]>(
        `SELECT COUNT(*) AS n, COALESCE(MAX(id), 0) AS top, COALESCE(SUM(version), 0) AS v FROM ${table}`,
      );
      return [Number(row.n), Number(row.top), Number(row.v)];
    };
    return new RegistryVersion(await tally('households'), await tally('persons'));
  }

  toString(): string {
    return `${this.households.join('.')}/${this.persons.join('.')}`;
  }

  /** Rows inserted (at version 1) with these ids. */
  inserted(table: 'households' | 'persons', ids: readonly number[]): void {
    const t = this[table];
    t[0] += ids.length;
    t[1] = Math.max(t[1], ...ids);
    t[2] += ids.length;
  }

  /** Rows whose version an update bumped. */
  updated(table: 'households' | 'persons', rows: number): void {
    this[table][2] += rows;
  }
}
