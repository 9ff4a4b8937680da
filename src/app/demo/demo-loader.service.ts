import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager, In } from 'typeorm';
import { type AuthUser, authUserOf } from '../../auth/auth-user.js';
import { hashPassword } from '../../auth/passwords.js';
import { ChecksService } from '../../checks/checks.service.js';
import { Campaign, DEFAULT_THRESHOLDS } from '../../ledger/campaign.entity.js';
import { ItemsService } from '../../ledger/items.service.js';
import type { Role } from '../../auth/roles.js';
import { User } from '../../auth/user.entity.js';
import { parseIdNumber } from '../../common/id-number.js';
import { chunk } from '../../common/sql.js';
import { Condition } from '../../health/condition.entity.js';
import { ContractDisease } from '../../health/contract-disease.entity.js';
import { Contract } from '../../health/contract.entity.js';
import { Disease } from '../../health/disease.entity.js';
import { FollowUp } from '../../health/follow-up.entity.js';
import { InsuranceEnrollment } from '../../health/insurance-enrollment.entity.js';
import { DEFAULT_SCHEME } from '../../health/insurance.service.js';
import { Household } from '../../households/household.entity.js';
import { Person } from '../../households/person.entity.js';
import { Region } from '../../regions/region.entity.js';
import { stringify } from 'csv-stringify';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppConfig } from '../../config/app-config.js';
import { demoPovertyRosterPath } from '../../reconciliation/roster-templates.js';
import { buildDemoDistrict, DEMO_DISTRICT_CODE, type DemoDistrict } from './demo-district.js';
import { buildDemoPovertyRoster } from './demo-poverty-roster.js';
import { DEMO_CAMPAIGN, type DemoCloseRequest, DEMO_INSPECTION_ITEMS } from './demo-campaign.js';
import { DemoCloseRequests } from './demo-close-requests.js';
import { buildDemoHealth, DEMO_AS_OF, type DemoHealth } from './demo-health.js';
import { loadDemoRisk } from './demo-risk.js';
import { balanceFollowUps, demoReadings, demoTreatment } from './demo-readings.js';
import { inTransaction } from '../../database/transaction.js';

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

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly items: ItemsService,
    private readonly checks: ChecksService,
    private readonly config: AppConfig,
    private readonly closeRequests: DemoCloseRequests,
  ) {}

  async loadIfEmpty(): Promise<boolean> {
    if ((await this.db.getRepository(Region).count()) > 0) {
      if (await this.db.getRepository(Region).existsBy({ code: DEMO_DISTRICT_CODE })) {
        await this.writePovertyRoster();
      }
      return false;
    }
    const district = buildDemoDistrict();
    const passwordHash = await hashPassword(DEMO_PASSWORD);
    await inTransaction(this.db, async (em) => {
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
      await this.insertHealth(em, buildDemoHealth(district, subdistrictNames(district)), district);
      await loadDemoRisk(em, district);
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
    await this.loadCampaign();
    await this.writePovertyRoster();
    this.logger.log(
      `loaded the demo district: ${district.households.length} households; demo accounts ${DEMO_USERS.map((u) => u.username).join(', ')} (password ${DEMO_PASSWORD})`,
    );
    return true;
  }

  /**
   * The demo district's poverty register (demo-poverty-roster.ts), every kind of discrepancy planted,
   * into the data directory for the demo user to upload on 数据比对 — unless it is there already.
   */
  private async writePovertyRoster(): Promise<void> {
    if (this.config.DB_PATH === ':memory:') {
      return;
    }
    const path = demoPovertyRosterPath(this.config);
    if (existsSync(path)) {
      return;
    }
    const roster = buildDemoPovertyRoster();
    await mkdir(dirname(path), { recursive: true });
    await pipeline(
      Readable.from(roster.rows),
      stringify({ header: true, columns: roster.header, bom: true }),
      createWriteStream(path),
    );
    this.logger.log(`the demo district's poverty register (扶贫办花名册) to upload on 数据比对: ${path}`);
  }

  /** Conditions, contracts with their diseases and follow-ups, enrollments: set-based, in the caller's transaction. */
  private async insertHealth(em: EntityManager, health: DemoHealth, district: DemoDistrict): Promise<void> {
    const personId = new Map(
      (await em.find(Person, { select: { id: true, idNumber: true } })).map((p) => [p.idNumber, p.id]),
    );
    const idOf = (idNumber: string) => personId.get(idNumber)!;
    const major = new Set((await em.findBy(Disease, { kind: 'major' })).map((d) => d.code));
    const treatment = demoTreatment(health, district, major);
    const away = balanceFollowUps(health, district);
    const conditions = health.conditions.map(({ idNumber, ...c }, i) => ({
      ...c,
      ...treatment[i],
      personId: idOf(idNumber),
    }));
    for (const rows of chunk(conditions, BATCH)) {
      await em.insert(Condition, rows);
    }
    const followUpsPerYear = new Map((await em.find(Disease)).map((d) => [d.code, d.followUpsPerYear ?? 0]));
    for (const rows of chunk(health.contracts, BATCH)) {
      await em.insert(
        Contract,
        rows.map((c) => ({
          personId: idOf(c.idNumber),
          institution: c.institution,
          doctorName: c.doctorName,
          signedOn: c.signedOn,
          validUntil: c.validUntil,
          requiredFollowUps: Math.max(...c.diseaseCodes.map((code) => followUpsPerYear.get(code) ?? 0)),
        })),
      );
    }
    // Inserted in order within this transaction on an empty table: ids ascend with the list.
    const ids = (await em.find(Contract, { select: { id: true }, order: { id: 'ASC' } })).map((c) => c.id);
    const covered = health.contracts.flatMap((c, i) =>
      c.diseaseCodes.map((diseaseCode) => ({ contractId: ids[i], diseaseCode })),
    );
    const readings = demoReadings(health, district, away);
    const visits = health.contracts.flatMap((c, i) =>
      c.followUps.map((f, j) => ({
        contractId: ids[i],
        visitedOn: f.visitedOn,
        kind: f.kind,
        notes: null,
        ...readings[i][j],
      })),
    );
    for (const rows of chunk(covered, BATCH)) {
      await em.insert(ContractDisease, rows);
    }
    for (const rows of chunk(visits, BATCH)) {
      await em.insert(FollowUp, rows);
    }
    for (const rows of chunk(health.enrollments, BATCH)) {
      await em.insert(
        InsuranceEnrollment,
        rows.map(({ idNumber, ...e }) => ({ ...e, personId: idOf(idNumber), scheme: DEFAULT_SCHEME })),
      );
    }
  }

  /**
   * The 2020 campaign: the supervision's findings, filed by the caseworker and worked on by the
   * officers through the same services as the API (ledger entries included), a few 销号 requests
   * with their evidence waiting for review, then the gap checks as of DEMO_AS_OF. A fixed, small
   * number of calls.
   */
  private async loadCampaign(): Promise<void> {
    const users = await this.db.getRepository(User).find();
    const as = (username: string): AuthUser => {
      return authUserOf(users.find((x) => x.username === username)!);
    };
    const caseworker = as('caseworker');
    // The findings closed before the bureau reviewed closes are closed directly; 销号审核 (SPEC §6.2) is
    // on for the campaign from then on.
    const campaign = await this.db
      .getRepository(Campaign)
      .save({ ...DEMO_CAMPAIGN, ...DEFAULT_THRESHOLDS, closeReview: false });
    const requests: {
      officer: AuthUser;
      reviewer: AuthUser;
      itemId: number;
      version: number;
      request: DemoCloseRequest;
    }[] = [];
    for (const found of DEMO_INSPECTION_ITEMS) {
      const officer = found.dept === 'insurance' ? as('insurance') : as(`officer${found.subdistrict}`);
      const item = await this.items.create(caseworker, {
        campaignId: campaign.id,
        category: found.category,
        title: found.title,
        description: '区卫健局、医保局督导检查发现',
        regionCode: `610199${String(found.subdistrict).padStart(3, '0')}000`,
        responsibleDept: found.dept,
        source: 'inspection',
      });
      let version = item.version;
      if (found.progress) {
        version = (await this.items.start(officer, item.id, { version })).version;
        await this.items.progress(officer, item.id, { note: found.progress });
      }
      if (found.resolution) {
        await this.items.close(officer, item.id, { resolution: found.resolution, version });
      }
      if (found.request) {
        const reviewer = found.dept === 'insurance' ? as('insurance') : caseworker;
        requests.push({ officer, reviewer, itemId: item.id, version, request: found.request });
      }
    }
    await this.db.getRepository(Campaign).update({ id: campaign.id }, { closeReview: true });
    for (const { officer, reviewer, itemId, version, request } of requests) {
      await this.closeRequests.request(officer, reviewer, itemId, version, request);
    }
    await this.checks.run(caseworker, campaign.id, DEMO_AS_OF);
  }
}

function subdistrictNames(district: DemoDistrict): Map<string, string> {
  return new Map(district.regions.filter((r) => r.level === 'subdistrict').map((r) => [r.code, r.name]));
}
