import { PovertyComparer } from '../../reconciliation/poverty-comparer.js';
import { PovertyRegistry } from '../../reconciliation/poverty-registry.js';
import { POVERTY_COLUMNS, type PovertyField } from '../../reconciliation/poverty-rows.js';
import type { FoundDiscrepancy } from '../../reconciliation/roster-comparer.js';
import { buildDemoDistrict } from './demo-district.js';
import { buildDemoPovertyRoster } from './demo-poverty-roster.js';

describe("the demo district's poverty register (扶贫办花名册, for the demo user to upload)", () => {
  const district = buildDemoDistrict();
  const roster = buildDemoPovertyRoster(district);

  /** The demo district as loaded, compared with the roster by the reconciliation's own comparer. */
  function compare() {
    const registry = new PovertyRegistry();
    district.regions.filter((r) => r.level !== 'district').forEach((r) => registry.regions.add(r.code));
    let personId = 0;
    district.households.forEach((h, i) => {
      const household = registry.addHousehold({
        id: i + 1,
        registryNo: h.registryNo,
        regionCode: h.regionCode,
        status: h.status,
      });
      for (const m of h.members) {
        registry.addPerson(
          { id: ++personId, idNumber: m.idNumber, name: m.name, status: 'active', householdId: household.id },
          household,
        );
      }
    });
    registry.seal();
    const comparer = new PovertyComparer(registry, '2020-12-31');
    const found: FoundDiscrepancy[] = [];
    let skipped = 0;
    roster.rows.forEach((cells, i) => {
      const values = Object.fromEntries(POVERTY_COLUMNS.map((c, k) => [c.key, cells[k]])) as Record<
        PovertyField,
        string
      >;
      if (comparer.compare({ line: i + 2, values, imprecise: [] }, (d) => found.push(d))) {
        skipped++;
      }
    });
    found.push(...comparer.rest());
    return { found, skipped };
  }

  it('has the headers of SPEC §6.5 and one row per person of the district, give or take the planted ones', () => {
    expect(roster.header.join(',')).toBe('户编号,区划代码,户主姓名,身份证号,姓名,与户主关系,户类型,脱贫年度,人员状态');
    const persons = district.households.reduce((n, h) => n + h.members.length, 0);
    expect(roster.rows.length).toBe(persons - 2 + 6);
    expect(roster.rows.every((r) => r.length === roster.header.length)).toBe(true);
  });

  it('yields exactly the planted count of every kind, and its one row error', () => {
    const { found, skipped } = compare();
    const counts = Object.fromEntries(Object.keys(roster.planted).map((k) => [k, 0]));
    found.forEach((d) => counts[d.kind]++);
    expect(counts).toEqual(roster.planted);
    expect(Object.values(roster.planted).every((n) => n > 0)).toBe(true);
    expect(skipped).toBe(roster.rowErrors);
  });

  it('is the same every time', () => {
    expect(buildDemoPovertyRoster()).toEqual(roster);
  });
});
