import type { DataSource, EntityManager } from 'typeorm';
import type { EscalationThresholds } from './escalation-policy.js';
import { Item } from './item.entity.js';
import type { LedgerEntry } from './ledger-entry.entity.js';
import { INSERTED_COLUMNS } from './ledger.service.js';
import type { SubjectNames } from './text-redactor.js';

/** What the views know of an item's person or household subject. */
export interface Subject extends SubjectNames {
  /** The subject's sub-district or village now (its household's region). */
  regionCode: string;
  /** That region's name. */
  regionName: string | null;
  /** A person's name, or a household's registry number. */
  label: string;
  /** A person's ID number (masked on the way out). */
  idNumber: string | null;
}

/** What an item's view names beside the item row (read with the row by lockItem). */
export interface ItemNames {
  regionName: string | null;
  /** The campaign's name, its escalation thresholds and its 销号 settings. */
  campaign: (EscalationThresholds & { name: string; closeReview: boolean; evidenceRequired: boolean }) | null;
  subject: Subject | null;
  attachmentCount: number;
}

/** An item locked for a change, with its names and its whole ledger, oldest first. */
export interface LockedItem {
  item: Item;
  names: ItemNames;
  entries: LedgerEntry[];
}

/** The ledger's columns, as the second part of the locking read returns them (prefixed e_). */
const ENTRY_COLUMNS = ['id', ...INSERTED_COLUMNS] as const;

/**
 * The scalar subqueries that name the person or household an item (alias `i`) is about, as JSON
 * (`json`: the database's JSON_OBJECT): [expression, alias] — x_person, x_household and x_members
 * (the household's members' names). Read beside the item (lockItem, the list's pages), they save
 * the views a look-up of the subjects; subjectOfRow reads them back.
 */
export function subjectSelects(json: string): [string, string][] {
  const aggregate = json === 'JSON_OBJECT' ? 'JSON_ARRAYAGG' : 'json_group_array';
  return [
    [
      `(SELECT ${json}('label', p.name, 'idNumber', p.idNumber, 'regionCode', h.regionCode, 'regionName', r.name) FROM persons p INNER JOIN households h ON h.id = p.householdId LEFT JOIN regions r ON r.code = h.regionCode WHERE i.subjectType = 'person' AND p.id = i.subjectId)`,
      'x_person',
    ],
    [
      `(SELECT ${json}('label', h.registryNo, 'regionCode', h.regionCode, 'regionName', r.name) FROM households h LEFT JOIN regions r ON r.code = h.regionCode WHERE i.subjectType = 'household' AND h.id = i.subjectId)`,
      'x_household',
    ],
    [
      `(SELECT ${aggregate}(m.name) FROM persons m WHERE i.subjectType = 'household' AND m.householdId = i.subjectId)`,
      'x_members',
    ],
  ];
}

/** The subject named by a row's subjectSelects columns; null for an item about no person or household. */
export function subjectOfRow(row: Record<string, unknown>): Subject | null {
  const person = parsed<Omit<Subject, 'names'>>(row.x_person);
  if (person) {
    return { ...person, names: [person.label] };
  }
  const household = parsed<Omit<Subject, 'names'>>(row.x_household);
  return household && { ...household, names: parsed<string[]>(row.x_members) ?? [] };
}

/** What the first part reads beside the item's columns: scalar subqueries, plain reads that lock nothing. */
const extras = (json: string) => [
  `(SELECT ${json}('name', c.name, 'reminderDays', c.reminderDays, 'warningDays', c.warningDays, 'supervisedDays', c.supervisedDays, 'closeReview', c.closeReview, 'evidenceRequired', c.evidenceRequired) FROM campaigns c WHERE c.id = i.campaignId) AS x_campaign`,
  '(SELECT r.name FROM regions r WHERE r.code = i.regionCode) AS x_regionName',
  '(SELECT COUNT(*) FROM attachments a WHERE a.itemId = i.id) AS x_attachments',
  ...subjectSelects(json).map(([sql, alias]) => `${sql} AS ${alias}`),
];

/** The locking read's text, per DataSource (its columns come from the entity's metadata). */
const statements = new WeakMap<DataSource, string>();

/**
 * The statement: the item row (MySQL: locked FOR UPDATE; the scalar subqueries beside it are plain
 * reads and lock nothing) and, after it in the same answer, the item's ledger entries as rows of
 * their own (UNION ALL, the item's columns null). Rows rather than one aggregate of the entries: on
 * MariaDB a JSON_ARRAYAGG costs more than the whole rest of the read.
 */
function statementOf(db: DataSource): string {
  const known = statements.get(db);
  if (known) {
    return known;
  }
  const mysql = db.options.type === 'mysql';
  const itemColumns = db.getMetadata(Item).columns.map((c) => c.databaseName);
  const entryNulls = ENTRY_COLUMNS.map((c) => `NULL AS e_${c}`);
  const itemPart = [
    'SELECT',
    [
      ...itemColumns.map((c) => `i.\`${c}\` AS i_${c}`),
      ...extras(mysql ? 'JSON_OBJECT' : 'json_object'),
      ...entryNulls,
    ].join(', '),
    'FROM items i WHERE i.id = ?',
    mysql ? 'FOR UPDATE' : '',
  ].join(' ');
  const itemNulls = Array.from({ length: itemColumns.length + extras('').length }, () => 'NULL');
  const entryPart = `SELECT ${[...itemNulls, ...ENTRY_COLUMNS.map((c) => `e.\`${c}\``)].join(', ')} FROM ledger_entries e WHERE e.itemId = ?`;
  // MariaDB takes a locking clause in a UNION only on a parenthesised part; SQLite takes no parentheses.
  const sql = mysql ? `(${itemPart}) UNION ALL (${entryPart})` : `${itemPart} UNION ALL ${entryPart}`;
  statements.set(db, sql);
  return sql;
}

/** A JSON column of the read (a string, or parsed by the driver already); null for NULL. */
function parsed<T>(value: unknown): T | null {
  if (value === null || value === undefined) {
    return null;
  }
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/**
 * One item, locked for a change (ItemChanges), with what its answer names — its region, campaign
 * (with the settings a change checks), subject and attachment count — and its ledger: one round
 * trip. Null when there is no such item.
 */
export async function lockItem(em: EntityManager, id: number): Promise<LockedItem | null> {
  const rows = await em.query<Record<string, unknown>[]>(statementOf(em.connection), [id, id]);
  const row = rows.find((r) => r.i_id !== null && r.i_id !== undefined);
  if (!row) {
    return null;
  }
  const { driver } = em.connection;
  const item = new Item();
  for (const column of em.connection.getMetadata(Item).columns) {
    column.setEntityValue(item, driver.prepareHydratedValue(row[`i_${column.databaseName}`], column));
  }
  const entries = rows
    .filter((r) => r !== row)
    .map((r): LedgerEntry => ({
      id: Number(r.e_id),
      itemId: id,
      seq: Number(r.e_seq),
      type: r.e_type as LedgerEntry['type'],
      actorId: r.e_actorId === null ? null : Number(r.e_actorId),
      actorName: r.e_actorName as string,
      at: r.e_at as string,
      note: r.e_note as string | null,
      payload: r.e_payload as string | null,
      prevHash: r.e_prevHash as string,
      hash: r.e_hash as string,
    }))
    .sort((a, b) => a.seq - b.seq);
  const campaign = parsed<ItemNames['campaign'] & { closeReview: unknown; evidenceRequired: unknown }>(row.x_campaign);
  const subject = subjectOfRow(row);
  return {
    item,
    names: {
      regionName: (row.x_regionName as string | null) ?? null,
      campaign: campaign && {
        ...campaign,
        closeReview: Boolean(Number(campaign.closeReview)),
        evidenceRequired: Boolean(Number(campaign.evidenceRequired)),
      },
      subject,
      attachmentCount: Number(row.x_attachments ?? 0),
    },
    entries,
  };
}
