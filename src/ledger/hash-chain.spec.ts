import { createHash } from 'node:crypto';
import {
  canonicalJson,
  chainAfter,
  type ChainedEntry,
  computeHash,
  GENESIS_HASH,
  type HashedEntry,
  verifyChain,
} from './hash-chain.js';

const entry = (overrides: Partial<Omit<HashedEntry, 'seq'>> = {}): Omit<HashedEntry, 'seq'> => ({
  itemId: 7,
  type: 'progress',
  actorId: 3,
  actorName: '城关街道 王专干',
  at: '2020-04-15T02:00:00.000Z',
  note: '已入户核实',
  payload: null,
  ...overrides,
});

function chainOf(n: number): ChainedEntry[] {
  return chainAfter(
    null,
    Array.from({ length: n }, (_, i) => entry({ note: `第${i + 1}条`, payload: canonicalJson({ step: i }) })),
  );
}

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys and drops whitespace, whatever the insertion order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('keeps Chinese text as it is', () => {
    expect(canonicalJson({ note: '销号' })).toBe('{"note":"销号"}');
  });
});

describe('computeHash', () => {
  it('is sha256 hex of prevHash + the canonical JSON of the hashed fields', () => {
    const e = { ...entry(), seq: 1 };
    const body =
      '{"actorId":3,"actorName":"城关街道 王专干","at":"2020-04-15T02:00:00.000Z","itemId":7,"note":"已入户核实","payload":null,"seq":1,"type":"progress"}';
    const expected = createHash('sha256')
      .update(GENESIS_HASH + body)
      .digest('hex');
    expect(computeHash(GENESIS_HASH, e)).toBe(expected);
    expect(computeHash(GENESIS_HASH, e)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the text canonicalJson gives, whatever the characters and numbers', () => {
    const strings = ['', '"引号" \\ 反斜杠', '\n\t\u0000\u001f\u007f', '\u2028\u2029', '😀 𠮷', 'é', '</script>'];
    const numbers = [0, -1, 2 ** 31, Number.MAX_SAFE_INTEGER, 1.5, 1e21, -0];
    for (const [i, text] of strings.entries()) {
      const e: HashedEntry = {
        itemId: numbers[i % numbers.length],
        seq: numbers[(i + 1) % numbers.length],
        type: text,
        actorId: i % 2 === 0 ? null : numbers[i],
        actorName: text,
        at: text,
        note: i % 3 === 0 ? null : text,
        payload: i % 2 === 0 ? null : canonicalJson({ text, n: numbers[i] }),
      };
      const { itemId, seq, type, actorId, actorName, at, note, payload } = e;
      const body = canonicalJson({ itemId, seq, type, actorId, actorName, at, note, payload });
      expect(computeHash(GENESIS_HASH, e)).toBe(
        createHash('sha256')
          .update(GENESIS_HASH + body)
          .digest('hex'),
      );
    }
  });

  it('refuses what JSON cannot hold, as canonicalJson does', () => {
    expect(() => computeHash(GENESIS_HASH, { ...entry(), seq: 1, note: 'a\ud800b' })).toThrow();
    expect(() => computeHash(GENESIS_HASH, { ...entry(), seq: Number.NaN })).toThrow();
  });

  it('ignores fields outside the entry (id, prevHash, hash of a stored row)', () => {
    const e = { ...entry(), seq: 1 };
    expect(computeHash(GENESIS_HASH, { ...e, id: 99, hash: 'x' } as HashedEntry)).toBe(computeHash(GENESIS_HASH, e));
  });

  it('changes with every hashed field and with the previous hash', () => {
    const base = { ...entry(), seq: 1 };
    const h = computeHash(GENESIS_HASH, base);
    const variants: HashedEntry[] = [
      { ...base, itemId: 8 },
      { ...base, seq: 2 },
      { ...base, type: 'closed' },
      { ...base, actorId: null },
      { ...base, actorName: '系统' },
      { ...base, at: '2020-04-15T02:00:00.001Z' },
      { ...base, note: null },
      { ...base, payload: '{}' },
    ];
    for (const v of variants) {
      expect(computeHash(GENESIS_HASH, v)).not.toBe(h);
    }
    expect(computeHash('f'.repeat(64), base)).not.toBe(h);
  });
});

describe('chainAfter', () => {
  it('numbers from 1 and links each entry to the one before', () => {
    const chain = chainOf(3);
    expect(chain.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(chain[0].prevHash).toBe(GENESIS_HASH);
    expect(chain[1].prevHash).toBe(chain[0].hash);
    expect(chain[2].prevHash).toBe(chain[1].hash);
  });

  it('continues an existing chain', () => {
    const first = chainOf(2);
    const [next] = chainAfter({ seq: 2, hash: first[1].hash }, [entry({ type: 'closed' })]);
    expect(next).toMatchObject({ seq: 3, prevHash: first[1].hash });
    expect(verifyChain([...first, next])).toEqual({ valid: true, entries: 3, firstBrokenSeq: null });
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain in any order, and an empty one', () => {
    expect(verifyChain(chainOf(4).reverse())).toEqual({ valid: true, entries: 4, firstBrokenSeq: null });
    expect(verifyChain([])).toEqual({ valid: true, entries: 0, firstBrokenSeq: null });
  });

  it('names an entry whose content was altered', () => {
    const chain = chainOf(4);
    chain[1] = { ...chain[1], note: '改过' };
    expect(verifyChain(chain)).toEqual({ valid: false, entries: 4, firstBrokenSeq: 2 });
  });

  it('names the next entry when an altered entry was also re-hashed', () => {
    const chain = chainOf(4);
    const forged = { ...chain[1], note: '改过' };
    chain[1] = { ...forged, hash: computeHash(forged.prevHash, forged) };
    expect(verifyChain(chain)).toMatchObject({ valid: false, firstBrokenSeq: 3 });
  });

  it('names the entry after a removed one, and a chain that does not start at 1', () => {
    const chain = chainOf(4);
    expect(verifyChain([chain[0], chain[2], chain[3]])).toMatchObject({ valid: false, firstBrokenSeq: 3 });
    expect(verifyChain(chain.slice(1))).toMatchObject({ valid: false, firstBrokenSeq: 2 });
  });

  it('names an entry whose payload was altered', () => {
    const chain = chainOf(3);
    chain[2] = { ...chain[2], payload: canonicalJson({ step: 99 }) };
    expect(verifyChain(chain)).toMatchObject({ valid: false, firstBrokenSeq: 3 });
  });
});
