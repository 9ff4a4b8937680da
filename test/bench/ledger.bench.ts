import type { Bench } from './report.js';

/** Placeholder replaced below in this session: listing and closing items among 1 000 000. */
export const ledgerBench: Bench = { name: 'ledger', run: () => Promise.resolve([]) };
