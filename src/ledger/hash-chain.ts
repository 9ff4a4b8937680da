import canonicalize from 'canonicalize';
import { createHash } from 'node:crypto';

/** The prevHash of an item's first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of a ledger entry that its hash covers. */
export interface HashedEntry {
  itemId: number;
  seq: number;
  type: string;
  actorId: number | null;
  actorName: string;
  at: string;
  note: string | null;
  /** Canonical JSON text (or null); hashed as the string it is stored as. */
  payload: string | null;
}

export interface ChainedEntry extends HashedEntry {
  prevHash: string;
  hash: string;
}

export interface ChainVerification {
  valid: boolean;
  entries: number;
  /** The seq of the first entry that does not fit the chain, or null when all do. */
  firstBrokenSeq: number | null;
}

/** RFC 8785 canonical JSON; throws on values JSON cannot hold (NaN, lone surrogates, …). */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) {
    throw new Error('the value has no JSON form');
  }
  return text;
}

/** sha256 hex of prevHash followed by the canonical JSON of the entry's hashed fields. */
export function computeHash(prevHash: string, entry: HashedEntry): string {
  return createHash('sha256')
    .update(prevHash + hashedJson(entry))
    .digest('hex');
}

/** A UTF-16 surrogate not paired (in a `u` pattern a pair is one code point and does not match). */
const LONE_SURROGATE = /\p{Cs}/u;

/** A value whose canonical JSON is its JSON.stringify text (RFC 8785: a finite number, a well-formed string, null). */
const isPlain = (value: unknown): boolean =>
  value === null ||
  (typeof value === 'number' && Number.isFinite(value)) ||
  (typeof value === 'string' && !LONE_SURROGATE.test(value));

/**
 * canonicalJson of the hashed fields, written out in its key order (actorId, actorName, at, itemId,
 * note, payload, seq, type) when every value is plain: the same text without the generic walk, as
 * every append and every verification writes one per entry (the escalation job, hundreds of
 * thousands). Anything else goes through canonicalJson, which answers for it (or refuses it).
 */
function hashedJson({ itemId, seq, type, actorId, actorName, at, note, payload }: HashedEntry): string {
  const values = [actorId, actorName, at, itemId, note, payload, seq, type];
  if (!values.every(isPlain)) {
    return canonicalJson({ itemId, seq, type, actorId, actorName, at, note, payload });
  }
  const [a, b, c, d, e, f, g, h] = values.map((value) => JSON.stringify(value));
  return `{"actorId":${a},"actorName":${b},"at":${c},"itemId":${d},"note":${e},"payload":${f},"seq":${g},"type":${h}}`;
}

/** Chains new entries after the last one of their item (`previous`: its seq and hash, or null for a new item). */
export function chainAfter<E extends Omit<HashedEntry, 'seq'>>(
  previous: { seq: number; hash: string } | null,
  entries: readonly E[],
): (E & { seq: number; prevHash: string; hash: string })[] {
  let seq = previous?.seq ?? 0;
  let prevHash = previous?.hash ?? GENESIS_HASH;
  return entries.map((entry) => {
    const hashed = { ...entry, seq: ++seq };
    const chained = { ...hashed, prevHash, hash: computeHash(prevHash, hashed) };
    prevHash = chained.hash;
    return chained;
  });
}

/**
 * Recomputes an item's chain from its stored entries (in any order): each seq follows the one
 * before, each prevHash is the previous entry's hash, and each hash matches its content.
 */
export function verifyChain(entries: readonly ChainedEntry[]): ChainVerification {
  const sorted = [...entries].sort((a, b) => a.seq - b.seq);
  let prevHash = GENESIS_HASH;
  for (const [i, entry] of sorted.entries()) {
    if (entry.seq !== i + 1 || entry.prevHash !== prevHash || entry.hash !== computeHash(entry.prevHash, entry)) {
      return { valid: false, entries: sorted.length, firstBrokenSeq: entry.seq };
    }
    prevHash = entry.hash;
  }
  return { valid: true, entries: sorted.length, firstBrokenSeq: null };
}
