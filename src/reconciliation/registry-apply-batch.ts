import { type EntityManager, In } from 'typeorm';
import { AppError, ErrorCode } from '../common/app-error.js';
import { parseIdNumber } from '../common/id-number.js';
import { chunk } from '../common/sql.js';
import { Household, type HouseholdStatus } from '../households/household.entity.js';
import { Person } from '../households/person.entity.js';
import type { PlannedChange } from './poverty-apply-plan.js';
import { RegistryChange, type RegistryChangeKind } from './registry-change.entity.js';
import type { RegistryVersion } from './registry-version.js';

/** Rows per statement (an IN list, a multi-row INSERT). */
const PER_STATEMENT = 500;

/** Who writes a batch, when, for which reconciliation; `thisYear`: the registered year of an added household. */
export interface BatchContext {
  reconciliationId: number;
  userId: number;
  userName: string;
  now: Date;
  thisYear: number;
}

const conflict = () =>
  new AppError(
    ErrorCode.VersionConflict,
    '写入过程中登记信息被修改（与预览时不同），已写入的部分保留；请重新预览后确认，继续写入其余变化',
    'confirm',
  );

/**
 * Writes one batch of an apply's changes in the caller's transaction, in WRITE_ORDER: households
 * added, persons added, then the persons' households and statuses and the households' statuses —
 * each only where the row is still as the preview saw it (read under a row lock first; otherwise
 * a 409 and the batch rolls back) — and one registry_changes row per change. Carries `version`
 * forward by what it wrote.
 */
export async function writeBatch(
  em: EntityManager,
  changes: readonly PlannedChange[],
  context: BatchContext,
  version: RegistryVersion,
): Promise<void> {
  const of = (kind: RegistryChangeKind) => changes.filter((c) => c.change === kind);
  const added = of('household_added');
  for (const part of chunk(added, PER_STATEMENT)) {
    await em.insert(
      Household,
      part.map((c) => ({
        registryNo: c.registryNo,
        regionCode: c.regionCode!,
        povertyCause: 'other' as const,
        registeredYear: context.thisYear,
        status: c.after as HouseholdStatus,
      })),
    );
  }
  const householdIds = new Map<string, number>();
  const wanted = [...new Set(changes.filter((c) => c.householdId === null).map((c) => c.registryNo))];
  for (const part of chunk(wanted, PER_STATEMENT)) {
    const rows = await em.find(Household, { select: { id: true, registryNo: true }, where: { registryNo: In(part) } });
    rows.forEach((h) => householdIds.set(h.registryNo, h.id));
  }
  version.inserted(
    'households',
    added.map((c) => householdIds.get(c.registryNo)!),
  );
  const householdOf = (c: PlannedChange) => c.householdId ?? householdIds.get(c.registryNo)!;

  const personsAdded = of('person_added');
  for (const part of chunk(personsAdded, PER_STATEMENT)) {
    await em.insert(
      Person,
      part.map((c) => {
        const { sex, birthDate } = parseIdNumber(c.idNumber!);
        return {
          householdId: householdOf(c),
          idNumber: c.idNumber!,
          name: c.name!.slice(0, 64),
          relation: c.relation!,
          status: 'active' as const,
          sex,
          birthDate,
        };
      }),
    );
  }
  const personIds = new Map<string, number>();
  for (const part of chunk(
    personsAdded.map((c) => c.idNumber!),
    PER_STATEMENT,
  )) {
    const rows = await em.find(Person, { select: { id: true, idNumber: true }, where: { idNumber: In(part) } });
    rows.forEach((p) => personIds.set(p.idNumber, p.id));
  }
  version.inserted('persons', [...personIds.values()]);
  const personOf = (c: PlannedChange) => c.personId ?? personIds.get(c.idNumber!) ?? null;

  const moves = of('person_household');
  const statuses = of('person_status');
  await assertUnchanged(em, Person, [...moves, ...statuses], (c, row) =>
    c.change === 'person_household' ? row.householdId === c.fromHouseholdId : row.status === c.before,
  );
  const households = of('household_status');
  await assertUnchanged(em, Household, households, (c, row) => row.status === c.before);

  version.updated('persons', await update(em, Person, moves, (c) => ({ householdId: householdOf(c) })));
  version.updated('persons', await update(em, Person, statuses, (c) => ({ status: c.after })));
  version.updated('households', await update(em, Household, households, (c) => ({ status: c.after })));

  for (const part of chunk(changes, PER_STATEMENT)) {
    await em
      .createQueryBuilder()
      .insert()
      .into(RegistryChange)
      .values(
        part.map((c) => ({
          reconciliationId: context.reconciliationId,
          change: c.change,
          householdId: householdOf(c),
          fromHouseholdId: c.fromHouseholdId ?? null,
          personId: personOf(c),
          before: c.before,
          after: c.after,
          changedById: context.userId,
          changedByName: context.userName.slice(0, 64),
          changedAt: context.now,
        })),
      )
      .updateEntity(false)
      .execute();
  }
}

/** The changed rows as they are now, under a row lock (SQLite: the writer's lock is held already); 409 unless each passes `same`. */
async function assertUnchanged(
  em: EntityManager,
  entity: typeof Person | typeof Household,
  changes: readonly PlannedChange[],
  same: (c: PlannedChange, row: { householdId?: number; status: string }) => boolean,
): Promise<void> {
  const idOf = (c: PlannedChange) => (entity === Person ? c.personId! : c.householdId!);
  const ids = [...new Set(changes.map(idOf))];
  const current = new Map<number, { householdId?: number; status: string }>();
  for (const part of chunk(ids, PER_STATEMENT)) {
    const query = em
      .createQueryBuilder(entity, 'r')
      .select(entity === Person ? ['r.id', 'r.householdId', 'r.status'] : ['r.id', 'r.status'])
      .where({ id: In(part) });
    if (em.connection.options.type === 'mysql') {
      query.setLock('pessimistic_write');
    }
    for (const row of await query.getMany()) {
      current.set(row.id, row);
    }
  }
  for (const c of changes) {
    const row = current.get(idOf(c));
    if (!row || !same(c, row)) {
      throw conflict();
    }
  }
}

/** The changes of one kind as grouped UPDATEs (one per new value), each bumping the version; answers the rows updated. */
async function update(
  em: EntityManager,
  entity: typeof Person | typeof Household,
  changes: readonly PlannedChange[],
  set: (c: PlannedChange) => Record<string, unknown>,
): Promise<number> {
  const groups = new Map<string, { set: Record<string, unknown>; ids: number[] }>();
  for (const c of changes) {
    const values = set(c);
    const key = JSON.stringify(values);
    const group = groups.get(key) ?? { set: values, ids: [] };
    group.ids.push(entity === Person ? c.personId! : c.householdId!);
    groups.set(key, group);
  }
  let rows = 0;
  for (const group of groups.values()) {
    for (const ids of chunk(group.ids, PER_STATEMENT)) {
      const result = await em
        .createQueryBuilder()
        .update(entity)
        .set({ ...group.set, version: () => 'version + 1' })
        .where({ id: In(ids) })
        .execute();
      rows += result.affected ?? ids.length;
    }
  }
  return rows;
}
