import { AppError, ErrorCode } from '../common/app-error.js';
import { RosterFileError } from '../uploads/roster-file.js';
import { openRoster } from '../uploads/roster-reader.js';
import { parseYear } from '../uploads/roster-values.js';
import { INSURANCE_COLUMNS } from './insurance-rows.js';

/** Rows read at upload to find the roster's year: enough to tell, quick on a million-row file. */
const SAMPLE_ROWS = 5000;

/**
 * The year most of a roster's first rows carry (年度), or null when none can be read. A file the
 * reader refuses is left to the upload check, which names the problem.
 */
export async function rosterYear(path: string): Promise<number | null> {
  const counts = new Map<number, number>();
  let roster;
  try {
    roster = await openRoster(path, INSURANCE_COLUMNS);
  } catch (error) {
    if (error instanceof RosterFileError) {
      return null;
    }
    throw error;
  }
  try {
    let read = 0;
    for await (const row of roster.rows()) {
      const year = parseYear(row.values.year);
      if (year !== null) {
        counts.set(year, (counts.get(year) ?? 0) + 1);
      }
      if (++read >= SAMPLE_ROWS) {
        break;
      }
    }
  } catch {
    // A broken row further on: the job reports it with its line; the year is what was read before it.
  } finally {
    await roster.close();
  }
  let best: number | null = null;
  for (const [year, n] of counts) {
    if (best === null || n > counts.get(best)! || (n === counts.get(best)! && year > best)) {
      best = year;
    }
  }
  return best;
}

/**
 * The year a reconciliation runs for: the one chosen, which must be the roster's (its rows carry
 * another year: refused, naming both), or without a choice the roster's own. The collection for
 * year N runs in the autumn of N−1, so next year's roster is as welcome as this year's.
 */
export function reconciliationYear(chosen: number | undefined, ofRoster: number | null): number {
  if (chosen === undefined) {
    if (ofRoster === null) {
      throw new AppError(ErrorCode.Invalid, '花名册中读不出年度，请选择年度。', 'year');
    }
    return ofRoster;
  }
  if (ofRoster !== null && ofRoster !== chosen) {
    throw new AppError(
      ErrorCode.Invalid,
      `花名册中的年度为${ofRoster}年，与所选的${chosen}年度不一致：请选择${ofRoster}年度，或上传${chosen}年度的花名册。`,
      'year',
    );
  }
  return chosen;
}
