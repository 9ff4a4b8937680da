import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { hashPassword } from '../auth/passwords.js';
import type { Role } from '../auth/roles.js';
import { User } from '../auth/user.entity.js';
import { parseIdNumber } from '../common/id-number.js';
import { chunk } from '../common/sql.js';
import { Household } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';
import { Region } from '../regions/region.entity.js';
import { buildDemoDistrict } from './demo-district.js';

/** The password of every demo account (documented in the README; demo data is off in production). */
export const DEMO_PASSWORD = 'Demo2020';

export const DEMO_USERS: { username: string; role: Role; displayName: string; regionCode?: string }[] = [
  { username: 'caseworker', role: 'health_caseworker', displayName: '卫健局 张业务' },
  { username: 'insurance', role: 'insurance_reconciler', displayName: '医保局 李对账' },
  { username: 'officer1', role: 'subdistrict_officer', displayName: '城关街道 王专干', regionCode: '610199001000' },
  { username: 'officer2', role: 'subdistrict_officer', displayName: '东塬街道 赵专干', regionCode: '610199002000' },
  { username: 'officer3', role: 'subdistrict_officer', displayName: '南川街道 陈专干', regionCode: '610199003000' },
  { username: 'officer4', role: 'subdistrict_officer', displayName: '西岭街道 刘专干', regionCode: '610199004000' },
  { username: 'officer5', role: 'subdistrict_officer', displayName: '北辰街道 周专干', regionCode: '610199005000' },
  { username: 'leader', role: 'viewer', displayName: '督导组 领导' },
];

const BATCH = 500;

/** Loads the demo district (SPEC §4) into a database that has no regions yet. */
@Injectable()
export class DemoLoader {
  private readonly logger = new Logger(DemoLoader.name);

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async loadIfEmpty(): Promise<boolean> {
    if ((await this.db.getRepository(Region).count()) > 0) {
      return false;
    }
    const district = buildDemoDistrict();
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    await this.db.transaction(async (em) => {
      await em.insert(Region, district.regions);
      for (const part of chunk(district.households, BATCH)) {
        await em.insert(
          Household,
          part.map(({ members: _members, ...h }) => h),
        );
        const ids = await em.find(Household, {
          select: { id: true, registryNo: true },
          where: { registryNo: In(part.map((h) => h.registryNo)) },
        });
        const idOf = new Map(ids.map((h) => [h.registryNo, h.id]));
        const persons = part.flatMap((h) =>
          h.members.map((m) => {
            const { sex, birthDate } = parseIdNumber(m.idNumber);
            return {
              householdId: idOf.get(h.registryNo),
              idNumber: m.idNumber,
              name: m.name,
              relation: m.relation,
              sex,
              birthDate,
            };
          }),
        );
        for (const rows of chunk(persons, BATCH)) {
          await em.insert(Person, rows);
        }
      }
      const existing = new Set((await em.find(User, { select: { username: true } })).map((u) => u.username));
      const users = DEMO_USERS.filter((u) => !existing.has(u.username)).map((u) => ({
        ...u,
        regionCode: u.regionCode ?? null,
        passwordHash,
      }));
      if (users.length > 0) {
        await em.insert(User, users);
      }
    });
    this.logger.log(
      `loaded the demo district: ${district.households.length} households; demo accounts ${DEMO_USERS.map((u) => u.username).join(', ')} (password ${DEMO_PASSWORD})`,
    );
    return true;
  }
}
