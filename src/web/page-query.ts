import { type ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppError, ErrorCode } from '../common/app-error.js';
import type { Page, PageQuery } from '../common/pagination.js';

/**
 * A list page's query string through the API's query DTO: empty fields (a filter form's "全部")
 * are dropped, unknown parameters ignored, and a value the API would refuse is a 400 page.
 */
export function readQuery<T extends object>(cls: ClassConstructor<T>, raw: Record<string, unknown>): T {
  const given = Object.fromEntries(
    Object.entries(raw).filter(([, value]) => typeof value === 'string' && value.trim() !== ''),
  );
  const query = plainToInstance(cls, given);
  const errors = validateSync(query, { whitelist: true });
  if (errors.length > 0) {
    throw new AppError(ErrorCode.Invalid, `invalid query parameter ${errors[0].property}`, errors[0].property);
  }
  return query;
}

/** The filters of a list as query-string pairs, without empty ones (for links and the export). */
export function filterParams(filters: Record<string, unknown>, keys: readonly string[]): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of keys) {
    const value = filters[key];
    if ((typeof value === 'string' && value !== '') || typeof value === 'number' || typeof value === 'boolean') {
      params.set(key, String(value));
    }
  }
  return params;
}

export interface Pager {
  page: number;
  pages: number;
  total: number;
  prev: string | null;
  next: string | null;
  first: number;
  last: number;
}

/**
 * A list page asked past its end (an old link, a typed number) shows the last page instead of
 * "第 19961–38 条，共 38 条": the page is read again at the last page number (the query is changed).
 */
export async function lastPageIfPast<Q extends PageQuery, P extends Page<unknown>>(
  query: Q,
  read: (query: Q) => Promise<P>,
): Promise<P> {
  const page = await read(query);
  const last = Math.max(1, Math.ceil(page.total / page.pageSize));
  if (page.page <= last) {
    return page;
  }
  query.page = last;
  return read(query);
}

/** Previous/next links of a list page that keep its filters. */
export function pagerOf(path: string, params: URLSearchParams, page: number, pageSize: number, total: number): Pager {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const link = (n: number) => {
    const p = new URLSearchParams(params);
    p.set('page', String(n));
    return `${path}?${p.toString()}`;
  };
  return {
    page,
    pages,
    total,
    prev: page > 1 ? link(page - 1) : null,
    next: page < pages ? link(page + 1) : null,
    first: total === 0 ? 0 : (page - 1) * pageSize + 1,
    last: Math.min(page * pageSize, total),
  };
}

/** A page-local path to return to after login (`/items/5`), never another site (`//evil`, `/\\evil`). */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}
