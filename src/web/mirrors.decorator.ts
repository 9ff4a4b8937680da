import { SetMetadata } from '@nestjs/common';

export const MIRRORS_KEY = 'hpa:mirrors';

/**
 * The API route(s) a page form performs, through the same service call, e.g.
 * `@Mirrors('POST /api/households/:id/members')`. The route-table test reads it: every non-GET
 * API route has a page form that mirrors it, or is listed there as API-only with its reason.
 */
export const Mirrors = (...routes: string[]): MethodDecorator => SetMetadata(MIRRORS_KEY, routes);
