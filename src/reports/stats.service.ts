import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import type { AuthUser } from '../auth/auth-user.js';
import { applyRegionScope } from '../auth/region-scope.js';
import { regionPrefix } from '../regions/region-codes.js';
import { onReplica } from '../database/read-replica.js';
import { Household } from '../households/household.entity.js';
import { Region } from '../regions/region.entity.js';

export interface RegionFigures {
  regionCode: string;
  name: string;
  households: number;
  persons: number;
  patients: number;
  poorHouseholds: number;
  poorPersons: number;
}

export interface Overview {
  regionCode: string | null;
  households: number;
  persons: number;
  patients: number;
  /** Patients as a percentage of persons, one decimal (66.0). */
  patientShare: number;
  poorHouseholds: number;
  poorPersons: number;
  byRegion: RegionFigures[];
}

interface Row {
  area: string;
  households?: string | number;
  poorHouseholds?: string | number;
  persons?: string | number;
  patients?: string | number;
  poorPersons?: string | number;
}

/**
 * The district overview (全区在册建档立卡贫困户…户…人，其中患病的…人，占…%), by aggregate queries.
 * Counts registered households (poor or lifted, not removed) and their active members.
 */
@Injectable()
export class StatsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async overview(user: AuthUser, regionCode?: string): Promise<Overview> {
    // Rows one level below the asked region: sub-districts of a district (or of everything), villages of a sub-district.
    const depth = regionCode && regionPrefix(regionCode).length >= 9 ? 12 : 9;
    const area = `SUBSTR(h.regionCode, 1, ${depth})`;

    const households = applyRegionScope(
      this.db
        .getRepository(Household)
        .createQueryBuilder('h')
        .select(area, 'area')
        .addSelect('COUNT(*)', 'households')
        .addSelect("SUM(CASE WHEN h.status = 'poor' THEN 1 ELSE 0 END)", 'poorHouseholds')
        .where("h.status <> 'removed'"),
      'h.regionCode',
      user,
      regionCode,
    ).groupBy(area);

    const persons = applyRegionScope(
      this.db
        .getRepository(Household)
        .createQueryBuilder('h')
        .innerJoin('persons', 'p', 'p.householdId = h.id')
        .select(area, 'area')
        .addSelect('COUNT(*)', 'persons')
        .addSelect(
          'SUM(CASE WHEN EXISTS (SELECT 1 FROM conditions c WHERE c.personId = p.id) THEN 1 ELSE 0 END)',
          'patients',
        )
        .addSelect("SUM(CASE WHEN h.status = 'poor' THEN 1 ELSE 0 END)", 'poorPersons')
        .where("h.status <> 'removed' AND p.status = 'active'"),
      'h.regionCode',
      user,
      regionCode,
    ).groupBy(area);

    const [householdRows, personRows] = await Promise.all([
      onReplica(this.db, households, (q) => q.getRawMany<Row>()),
      onReplica(this.db, persons, (q) => q.getRawMany<Row>()),
    ]);
    const codes = [...new Set([...householdRows, ...personRows].map((r) => r.area.padEnd(12, '0')))].sort();
    const names = new Map(
      (await this.db.getRepository(Region).findBy({ code: In(codes.length ? codes : ['-']) })).map((r) => [
        r.code,
        r.name,
      ]),
    );
    const byArea = (rows: Row[], code: string) => rows.find((r) => r.area.padEnd(12, '0') === code);
    const byRegion = codes.map((code) => {
      const h = byArea(householdRows, code);
      const p = byArea(personRows, code);
      return {
        regionCode: code,
        name: names.get(code) ?? code,
        households: Number(h?.households ?? 0),
        persons: Number(p?.persons ?? 0),
        patients: Number(p?.patients ?? 0),
        poorHouseholds: Number(h?.poorHouseholds ?? 0),
        poorPersons: Number(p?.poorPersons ?? 0),
      };
    });
    const sum = (key: keyof Omit<RegionFigures, 'regionCode' | 'name'>) => byRegion.reduce((n, r) => n + r[key], 0);
    const totals = { persons: sum('persons'), patients: sum('patients') };
    return {
      regionCode: regionCode ?? null,
      households: sum('households'),
      ...totals,
      patientShare: totals.persons === 0 ? 0 : Math.round((totals.patients / totals.persons) * 1000) / 10,
      poorHouseholds: sum('poorHouseholds'),
      poorPersons: sum('poorPersons'),
      byRegion,
    };
  }
}
