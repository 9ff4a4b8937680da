import type { EscalationStep } from '../ledger/item-levels.service.js';
import { DIGEST_THRESHOLD, splitDigests } from './notice-digest.js';

const step = (itemId: number, level: number, deadline = '2020-05-31'): EscalationStep => ({
  itemId,
  title: `问题${itemId}`,
  regionCode: '610199001000',
  responsibleDept: 'health',
  deadline,
  level,
});

describe('splitDigests: more than five notices of one level for one user become one digest', () => {
  it('keeps five apart and gathers six, the earliest deadline first', () => {
    const five = [1, 2, 3, 4, 5].map((id) => ({ userId: 7, step: step(id, 1) }));
    expect(splitDigests(five)).toEqual({ single: five, digests: [] });
    const six = [...five, { userId: 7, step: step(6, 1, '2020-05-20') }];
    const { single, digests } = splitDigests(six);
    expect(single).toEqual([]);
    expect(digests).toHaveLength(1);
    expect(digests[0]).toMatchObject({ userId: 7, level: 1 });
    expect(digests[0].steps.map((s) => s.itemId)).toEqual([6, 1, 2, 3, 4, 5]);
  });

  it('counts each user and each level on its own', () => {
    const notices = [
      ...Array.from({ length: DIGEST_THRESHOLD + 1 }, (_, i) => ({ userId: 1, step: step(i + 1, 2) })),
      ...Array.from({ length: 3 }, (_, i) => ({ userId: 1, step: step(i + 20, 3) })),
      ...Array.from({ length: 3 }, (_, i) => ({ userId: 2, step: step(i + 1, 2) })),
    ];
    const { single, digests } = splitDigests(notices);
    expect(digests.map((d) => [d.userId, d.level, d.steps.length])).toEqual([[1, 2, 6]]);
    expect(single).toHaveLength(6);
  });
});
