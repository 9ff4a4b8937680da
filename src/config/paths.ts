import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) {
      throw new Error(`no package.json above ${start}`);
    }
    dir = up;
  }
  return dir;
}

/** The project folder (holds views/), whether running from src/ under Jest or from dist/. */
export const PROJECT_ROOT = findRoot(import.meta.dirname);
