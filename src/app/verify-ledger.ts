import 'reflect-metadata';
import { DataSource, In, MoreThan } from 'typeorm';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { dataSourceOptions } from './data-source.js';
import { EvidenceStore, type StoredFileState } from '../ledger/evidence-store.js';
import { evidenceRefs, fileStates } from '../ledger/evidence-verification.js';
import { Item } from '../ledger/item.entity.js';
import { LedgerEntry } from '../ledger/ledger-entry.entity.js';
import { verifyWithTail } from '../ledger/ledger.service.js';

const BATCH = 2_000;

/**
 * `npm run ledger:verify`: recomputes every item's hash chain (after a restore, say), a batch of
 * items at a time, holding each against the tail its item keeps (ledgerSeq, ledgerHash), and re-hashes every evidence file an `attachment_added` entry names (in
 * UPLOAD_DIR: each distinct file once, streamed); prints each broken chain and each altered or
 * missing file (by item, entry seq and sha256), and exits 1 if there is one.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const db = await new DataSource(dataSourceOptions(config)).initialize();
  const store = new EvidenceStore(config);
  const files = new Map<string, StoredFileState>();
  let checked = 0;
  let broken = 0;
  let fileProblems = 0;
  try {
    let after = 0;
    for (;;) {
      const items = await db.getRepository(Item).find({
        select: { id: true, ledgerSeq: true, ledgerHash: true },
        where: { id: MoreThan(after) },
        order: { id: 'ASC' },
        take: BATCH,
      });
      if (items.length === 0) {
        break;
      }
      const ids = items.map((i) => i.id);
      const entries = await db.getRepository(LedgerEntry).find({ where: { itemId: In(ids) } });
      const byItem = new Map<number, LedgerEntry[]>(ids.map((id) => [id, []]));
      entries.forEach((e) => byItem.get(e.itemId)?.push(e));
      for (const item of items) {
        const itemId = item.id;
        // The chain recomputed, and held against the tail the item keeps (a cut, forked or added-to chain).
        const result = verifyWithTail(byItem.get(itemId)!, item);
        if (!result.valid) {
          broken++;
          console.error(`item ${itemId}: chain broken at seq ${result.firstBrokenSeq} (${result.entries} entries)`);
        }
      }
      const refs = evidenceRefs(entries).sort((a, b) => a.itemId - b.itemId || a.seq - b.seq);
      const states = await fileStates(store, refs, files);
      refs.forEach((ref, i) => {
        if (states[i] !== 'ok') {
          fileProblems++;
          console.error(`item ${ref.itemId}: file ${states[i]} at seq ${ref.seq} (sha256 ${ref.sha256 || '–'})`);
        }
      });
      checked += ids.length;
      after = ids[ids.length - 1];
    }
  } finally {
    await db.destroy();
  }
  console.error(
    `${checked} items checked, ${broken} broken chain(s); ${files.size} evidence file(s) checked, ${fileProblems} altered or missing`,
  );
  process.exitCode = broken > 0 || fileProblems > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
