import type request from 'supertest';
import { xlsxText } from './id-rebuild-check.js';

/** Collects a response body as a Buffer, whatever its type (supertest's parser). */
export function binaryParser(res: request.Response, done: (err: Error | null, body: Buffer) => void): void {
  const parts: Buffer[] = [];
  res.on('data', (part: Buffer) => parts.push(part));
  res.on('end', () => done(null, Buffer.concat(parts)));
}

/** A fetched answer: where from, its status and its body as text (an XLSX file's cells, one row a line). */
export interface Fetched {
  url: string;
  status: number;
  text: string;
}

/** The body of an answer read as binary, as a reader would see it: XLSX cells as text, anything else decoded as UTF-8. */
export async function bodyText(res: request.Response): Promise<string> {
  const body = res.body as Buffer;
  const type = String(res.headers['content-type'] ?? '');
  if (type.includes('spreadsheetml') || body.subarray(0, 2).toString('latin1') === 'PK') {
    return xlsxText(body);
  }
  return body.toString('utf8');
}

/** The route of a path: numbers as :id, the query left off (/items/12?x=1 → /items/:id). */
export const routeOf = (url: string): string => url.split('?')[0].replace(/\/\d+(?=\/|$)/g, '/:id');

const LINK = /\b(?:href|src)="(\/[^"]*)"/g;
const ENTITIES: Record<string, string> = { '&amp;': '&', '&#x3D;': '=', '&#x27;': "'", '&quot;': '"', '&#x60;': '`' };
const unescapeHtml = (text: string): string => text.replace(/&(?:amp|#x3D|#x27|quot|#x60);/g, (e) => ENTITIES[e]);

/**
 * Follows every same-site link from `start`, breadth first, with `get` (a signed-in agent): pages,
 * exports and downloads alike. At most `perRoute` paths of one route (/items/:id, /households with
 * each query …) and `max` in all, so a crawl covers every kind of page without reading thousands.
 */
export async function crawl(
  get: (url: string) => Promise<request.Response>,
  start: string[],
  options: { perRoute: number; max: number; skip: RegExp },
): Promise<Fetched[]> {
  const queue = [...start];
  const seen = new Set(queue);
  const perRoute = new Map<string, number>();
  const fetched: Fetched[] = [];
  while (queue.length > 0 && fetched.length < options.max) {
    const url = queue.shift()!;
    const res = await get(url);
    const text = await bodyText(res);
    fetched.push({ url, status: res.status, text });
    if (!String(res.headers['content-type'] ?? '').includes('text/html')) {
      continue;
    }
    for (const [, raw] of text.matchAll(LINK)) {
      const next = unescapeHtml(raw).split('#')[0];
      const route = routeOf(next);
      if (seen.has(next) || options.skip.test(next) || (perRoute.get(route) ?? 0) >= options.perRoute) {
        continue;
      }
      seen.add(next);
      perRoute.set(route, (perRoute.get(route) ?? 0) + 1);
      queue.push(next);
    }
  }
  return fetched;
}
