import { parseIdNumber } from '../../common/id-number.js';
import { buildDemoDistrict, DEMO_DISTRICT_CODE, type DemoHousehold } from './demo-district.js';

describe('demo district (示范区)', () => {
  const { regions, households } = buildDemoDistrict();
  const persons = households.flatMap((h) => h.members);
  const poor = households.filter((h) => h.status === 'poor');
  const byCode = new Map(regions.map((r) => [r.code, r]));
  const subdistricts = regions.filter((r) => r.level === 'subdistrict');
  const subdistrictOf = (h: DemoHousehold) => byCode.get(h.regionCode)?.parentCode;

  it('has a district, five sub-districts with at least three villages each, linked by parent codes', () => {
    const codes = regions.map((r) => r.code);
    expect(codes.every((c) => /^\d{12}$/.test(c))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    expect(new Set(regions.map((r) => r.name)).size).toBe(regions.length);

    expect(regions.filter((r) => r.level === 'district')).toEqual([
      { code: DEMO_DISTRICT_CODE, name: '示范区', level: 'district', parentCode: null },
    ]);
    expect(subdistricts.map((r) => r.code)).toEqual([
      '610199001000',
      '610199002000',
      '610199003000',
      '610199004000',
      '610199005000',
    ]);
    for (const sub of subdistricts) {
      expect(sub.parentCode).toBe(DEMO_DISTRICT_CODE);
      const villages = regions.filter((r) => r.parentCode === sub.code);
      expect(villages.length).toBeGreaterThanOrEqual(3);
      for (const v of villages) {
        expect(v.level).toBe('village');
        expect(v.code.slice(0, 9)).toBe(sub.code.slice(0, 9));
        expect(v.code.slice(9)).not.toBe('000');
      }
    }
    // Parents are listed before their children.
    regions.forEach((r, i) => {
      if (r.parentCode !== null) {
        expect(regions.findIndex((p) => p.code === r.parentCode)).toBeLessThan(i);
      }
    });
  });

  it('reproduces the 2020 report: 399 households / 956 persons, 34 poor households / 59 persons', () => {
    expect(households).toHaveLength(399);
    expect(persons).toHaveLength(956);
    expect(poor).toHaveLength(34);
    expect(poor.flatMap((h) => h.members)).toHaveLength(59);
    expect(households.every((h) => h.status === 'poor' || h.status === 'lifted')).toBe(true);
  });

  it('places households in villages, with unique registry numbers prefixed by the village code', () => {
    for (const h of households) {
      expect(byCode.get(h.regionCode)?.level).toBe('village');
      expect(h.registryNo).toMatch(/^\d{16}$/);
      expect(h.registryNo.startsWith(h.regionCode)).toBe(true);
      expect(h.registeredYear).toBeGreaterThanOrEqual(2014);
      expect(h.registeredYear).toBeLessThanOrEqual(2019);
    }
    expect(new Set(households.map((h) => h.registryNo)).size).toBe(households.length);
  });

  it('spreads poor households over all five sub-districts', () => {
    expect(new Set(poor.map(subdistrictOf))).toEqual(new Set(subdistricts.map((s) => s.code)));
  });

  it('gives every household one head, first, and 1–6 members', () => {
    for (const h of households) {
      expect(h.members.length).toBeGreaterThanOrEqual(1);
      expect(h.members.length).toBeLessThanOrEqual(6);
      expect(h.members[0].relation).toBe('head');
      expect(h.members.filter((m) => m.relation === 'head')).toHaveLength(1);
      expect(h.members.filter((m) => m.relation === 'spouse').length).toBeLessThanOrEqual(1);
    }
  });

  it('issues valid, unique ID numbers with plausible ages and a spouse of the opposite sex', () => {
    const ids = persons.map((p) => p.idNumber);
    expect(new Set(ids).size).toBe(956);
    for (const h of households) {
      const [head, ...others] = h.members.map((m) => ({ ...m, ...parseIdNumber(m.idNumber) }));
      const headYear = Number(head.birthDate.slice(0, 4));
      expect(2020 - headYear).toBeGreaterThanOrEqual(30);
      expect(2020 - headYear).toBeLessThanOrEqual(80);
      for (const m of others) {
        expect(m.idNumber.startsWith('610199')).toBe(true);
        expect(m.birthDate <= '2019-12-31').toBe(true);
        expect(m.birthDate >= '1925-01-01').toBe(true);
        if (m.relation === 'spouse') {
          expect(m.sex).not.toBe(head.sex);
          expect(Math.abs(Number(m.birthDate.slice(0, 4)) - headYear)).toBeLessThanOrEqual(6);
        }
      }
    }
  });

  it('is deterministic', () => {
    expect(buildDemoDistrict()).toEqual(buildDemoDistrict());
  });
});
