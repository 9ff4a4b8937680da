import pLimit from 'p-limit';
import type { ChainVerification } from './hash-chain.js';
import type { LedgerEntry } from './ledger-entry.entity.js';
import type { EvidenceStore, StoredFileState } from './evidence-store.js';

/** A file an `attachment_added` entry names: by the entry's item and seq, and the sha256 it recorded. */
export interface EvidenceRef {
  itemId: number;
  seq: number;
  sha256: string;
}

/** An entry whose file is altered or missing. */
export interface FileProblem {
  seq: number;
  sha256: string;
}

/** What re-hashing the files an item's ledger names found. */
export interface FileVerification {
  /** `attachment_added` entries whose file was re-hashed. */
  checked: number;
  /** Entries whose file's bytes no longer hash to the sha256 they recorded. */
  altered: FileProblem[];
  /** Entries whose file is not in UPLOAD_DIR. */
  missing: FileProblem[];
}

/**
 * An item's verify: the chain's answer as before (`firstBrokenSeq` is still the chain's), and the
 * files. `valid` is false when the chain is broken or a file is altered or missing.
 */
export interface LedgerVerification extends ChainVerification {
  files: FileVerification;
}

/** Files re-hashed at once (each a stream: memory stays small whatever the size). */
const CONCURRENT_FILES = 4;

/** The files the `attachment_added` entries name (the sha256 of their payload; '' when the payload has none). */
export function evidenceRefs(
  entries: readonly Pick<LedgerEntry, 'itemId' | 'seq' | 'type' | 'payload'>[],
): EvidenceRef[] {
  return entries
    .filter((e) => e.type === 'attachment_added')
    .map((e) => ({ itemId: e.itemId, seq: e.seq, sha256: sha256Of(e.payload) }));
}

function sha256Of(payload: string | null): string {
  try {
    const value = (JSON.parse(payload ?? 'null') as { sha256?: unknown } | null)?.sha256;
    return typeof value === 'string' ? value : '';
  } catch {
    return '';
  }
}

/**
 * The state of each ref's file, each distinct file re-hashed once (streamed; a few at a time).
 * `seen` carries the states across calls, so a run over the whole database reads each file once.
 */
export async function fileStates(
  store: EvidenceStore,
  refs: readonly EvidenceRef[],
  seen: Map<string, StoredFileState> = new Map(),
): Promise<StoredFileState[]> {
  const limit = pLimit(CONCURRENT_FILES);
  const todo = [...new Set(refs.map((r) => r.sha256))].filter((sha) => !seen.has(sha));
  const states = await Promise.all(todo.map((sha) => limit(() => store.state(sha))));
  todo.forEach((sha, i) => seen.set(sha, states[i]));
  return refs.map((r) => seen.get(r.sha256)!);
}

/** The refs' states as an item's file report. */
export function fileReport(refs: readonly EvidenceRef[], states: readonly StoredFileState[]): FileVerification {
  const pick = (state: StoredFileState) =>
    refs.filter((_r, i) => states[i] === state).map(({ seq, sha256 }) => ({ seq, sha256 }));
  return { checked: refs.length, altered: pick('altered'), missing: pick('missing') };
}

/** The chain's answer and the files' together (see LedgerVerification). */
export async function withFiles(
  store: EvidenceStore,
  chain: ChainVerification,
  entries: readonly Pick<LedgerEntry, 'itemId' | 'seq' | 'type' | 'payload'>[],
): Promise<LedgerVerification> {
  const refs = evidenceRefs(entries);
  const files = fileReport(refs, await fileStates(store, refs));
  return { ...chain, valid: chain.valid && files.altered.length === 0 && files.missing.length === 0, files };
}
