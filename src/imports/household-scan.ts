import type { DataSource } from 'typeorm';
import { normalizeIdNumber } from '../common/id-number.js';
import { chunk } from '../common/sql.js';
import { RELATIONS } from '../households/person.entity.js';
import type { BulkSql } from '../uploads/bulk-sql.js';
import { checkHouseholdRow, HOUSEHOLD_COLUMNS, type RowContext } from './household-rows.js';
import { householdRejection, registeredHeadRejection, sameHousehold } from './import-rules.js';
import {
  type FileHousehold,
  type FileScan,
  HOUSEHOLDS_PER_STATEMENT,
  type Repeat,
  ScannedRows,
  type StoredHousehold,
} from './scanned-rows.js';
import { IdNumberIndex } from '../uploads/id-number-index.js';
import { KeyLookup } from '../uploads/key-lookup.js';
import { RosterFileError } from '../uploads/roster-file.js';
import { NO_ROWS, openRoster } from '../uploads/roster-reader.js';

/** Keys per lookup while the file is read. */
const KEYS_PER_LOOKUP = 5000;
/** A household's heads until its first (shared: the list is replaced, never pushed to). */
const NO_HEADS: FileHousehold['heads'] = [];

/**
 * Phase 1 of an import: the whole file once, nothing written. While it is read, the valid rows'
 * registry numbers and ID numbers are looked up in the registry (five thousand per query, in the
 * background), so that the writing phases know what exists without asking again. The work per row
 * is constant (an ID number on 100 000 rows costs no more than on two), and between batches of the
 * file `between` runs: it lets other work in and stops a run that was cancelled or taken over.
 */
export async function scanHouseholdRoster(
  db: DataSource,
  sql: BulkSql,
  path: string,
  ctx: RowContext,
  between: () => Promise<void>,
): Promise<FileScan> {
  const households: FileHousehold[] = [];
  const rows = new ScannedRows(households);
  const firstLine = new IdNumberIndex();
  const duplicates = new Map<string, Repeat>();
  const byRegistryNo = new Map<string, number>();
  const stored = new Map<string, StoredHousehold>();
  const registered = new IdNumberIndex();
  const parallel = db.options.type === 'mysql' ? 2 : 1;
  const householdLookup = new KeyLookup(
    async (registryNos) => {
      const found = await db.query<StoredHousehold[]>(
        sql.select(
          'households',
          ['id', 'registryNo', 'regionCode', 'povertyCause', 'status', 'registeredYear'],
          'registryNo',
          registryNos.length,
          false,
        ),
        registryNos,
      );
      found.forEach((h) =>
        stored.set(h.registryNo, { ...h, id: Number(h.id), registeredYear: Number(h.registeredYear) }),
      );
    },
    KEYS_PER_LOOKUP,
    parallel,
  );
  const personLookup = new KeyLookup(
    async (idNumbers) => {
      const found = await db.query<{ idNumber: string }[]>(
        sql.select('persons', ['idNumber'], 'idNumber', idNumbers.length, false),
        idNumbers,
      );
      found.forEach((p) => registered.setIfAbsent(p.idNumber, 1));
    },
    KEYS_PER_LOOKUP,
    parallel,
  );
  const roster = await openRoster(path, HOUSEHOLD_COLUMNS);
  try {
    for await (const batch of roster.batches()) {
      await between();
      for (const raw of batch) {
        const row = checkHouseholdRow(raw, ctx);
        const index = rows.count;
        if (Array.isArray(row)) {
          const idNumber = normalizeIdNumber(raw.values.idNumber);
          rows.invalid.set(index, { problems: row, idNumber, registryNo: raw.values.registryNo });
          rows.add(raw.line, idNumber, '', -1, -1);
          if (idNumber) {
            noteId(firstLine, duplicates, idNumber, raw.line);
          }
          continue;
        }
        const repeated = noteId(firstLine, duplicates, row.idNumber, raw.line);
        let slot = byRegistryNo.get(row.registryNo);
        let household = slot === undefined ? null : households[slot];
        if (!household) {
          household = {
            registryNo: row.registryNo,
            regionCode: row.regionCode,
            povertyCause: row.povertyCause,
            status: row.status,
            registeredYear: row.registeredYear,
            line: row.line,
            conflictLine: 0,
            heads: NO_HEADS,
            rejected: null,
            index: -1,
            id: 0,
          };
          slot = households.push(household) - 1;
          byRegistryNo.set(row.registryNo, slot);
          const wait = householdLookup.add(row.registryNo);
          if (wait) {
            await wait;
          }
        } else if (household.conflictLine === 0 && !sameHousehold(household, row)) {
          household.conflictLine = row.line;
        }
        if (row.relation === 'head') {
          // A one-element literal, not a push onto an empty array (which reserves 17 slots): a third of
          // a million households of a million-row file keep their heads until the file is written.
          const head = { idNumber: row.idNumber, line: row.line };
          household.heads = household.heads.length === 0 ? [head] : [...household.heads, head];
        }
        rows.add(row.line, row.idNumber, row.name, RELATIONS.indexOf(row.relation), slot!);
        if (!repeated) {
          const wait = personLookup.add(row.idNumber);
          if (wait) {
            await wait;
          }
        }
      }
    }
    await Promise.all([householdLookup.finish(), personLookup.finish()]);
  } finally {
    await Promise.all([householdLookup.abandon(), personLookup.abandon()]);
    await roster.close();
  }
  if (rows.count === 0) {
    throw new RosterFileError(NO_ROWS);
  }

  for (const h of households) {
    h.rejected = householdRejection(h, duplicates);
  }

  // A household keeps one head: one already registered who is not in the file would make two.
  const candidates = [...stored.keys()].filter((registryNo) => !households[byRegistryNo.get(registryNo)!].rejected);
  for (const registryNos of chunk(candidates, HOUSEHOLDS_PER_STATEMENT)) {
    const heads = await db.query<{ registryNo: string; idNumber: string }[]>(
      `SELECT h.registryNo AS registryNo, p.idNumber AS idNumber FROM households h
       INNER JOIN persons p ON p.householdId = h.id AND p.relation = 'head'
       WHERE h.registryNo IN (${registryNos.map(() => '?').join(', ')})`,
      registryNos,
    );
    for (const head of heads) {
      const household = households[byRegistryNo.get(head.registryNo)!];
      household.rejected =
        registeredHeadRejection(household, head.idNumber, duplicates, (idNumber) => firstLine.has(idNumber)) ??
        household.rejected;
    }
  }
  return { rows, duplicates, households, stored, registered };
}

/** Notes where an ID number occurs (its first two lines and a count: constant work per row); answers whether it occurred before. */
function noteId(firstLine: IdNumberIndex, duplicates: Map<string, Repeat>, idNumber: string, line: number): boolean {
  const first = firstLine.setIfAbsent(idNumber, line);
  if (first === undefined) {
    return false;
  }
  const repeat = duplicates.get(idNumber);
  if (repeat) {
    repeat.count++;
  } else {
    duplicates.set(idNumber, { first, second: line, count: 2 });
  }
  return true;
}
