import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { MIRRORS_KEY } from '../src/web/mirrors.decorator.js';
import { createTestApp, type TestApp } from './utils/create-test-app.js';
import { routeTable } from './utils/route-table.js';

/**
 * SPEC §6.1, issue #16: nothing is reachable only through /api/docs. Every non-GET /api route of the
 * app's route table is performed by a page form (a page handler's `@Mirrors('POST /api/…')`), or is
 * listed in API_ONLY with its reason.
 * An entry that names no served route, or a route a page mirrors, fails too: lists cannot go stale.
 */
const API_ONLY: Record<string, string> = {
  'POST /api/regions':
    'the region tree is set up once, when the district is installed (migrations and the demo seed); no daily work changes it',
  'PUT /api/persons/:id/insurance/:year':
    "the insurance bureau's own feed, one person at a time; in the pages enrollment is written from the roster (数据比对 → 写入参保状态, POST /api/reconciliations/:id/apply-enrollment)",
};

interface Handler {
  /** `Controller.method`, for the messages. */
  name: string;
  /** The routes it answers (`POST /items/:id/start`, …). */
  routes: string[];
  /** What its @Mirrors names, if anything. */
  mirrors: string[];
}

/** Every controller method with a route, read from the metadata Nest routes by. */
function handlers(t: TestApp): Handler[] {
  const discovery = new DiscoveryService(t.app.get(ModulesContainer));
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const join = (...parts: string[]) =>
    `/${parts
      .map((p) => p.replace(/^\/+|\/+$/g, ''))
      .filter(Boolean)
      .join('/')}`;
  return discovery.getControllers().flatMap((wrapper) => {
    const type = wrapper.metatype as (new () => object) | null;
    if (!type) {
      return [];
    }
    const prefixes = [reflector.get<string | string[]>(PATH_METADATA, type)].flat();
    return scanner.getAllMethodNames(type.prototype).flatMap((method) => {
      const fn = (type.prototype as Record<string, () => unknown>)[method];
      const paths = reflector.get<string | string[] | undefined>(PATH_METADATA, fn);
      if (paths === undefined) {
        return [];
      }
      const verb = RequestMethod[reflector.get<RequestMethod>(METHOD_METADATA, fn)];
      return [
        {
          name: `${type.name}.${method}`,
          routes: prefixes.flatMap((prefix) => [paths].flat().map((path) => `${verb} ${join(prefix, path)}`)),
          mirrors: reflector.get<string[] | undefined>(MIRRORS_KEY, fn) ?? [],
        },
      ];
    });
  });
}

describe('route coverage: every non-GET API route has a page form (SPEC §6.1)', () => {
  let t: TestApp;
  let served: string[];
  let all: Handler[];
  let mirrored: Set<string>;

  beforeAll(async () => {
    t = await createTestApp();
    served = routeTable(t);
    all = handlers(t);
    mirrored = new Set(all.flatMap((h) => h.mirrors));
  });

  afterAll(() => t.close());

  const isApi = (route: string) => / \/api(\/|$)/.test(route);
  const isWrite = (route: string) => !route.startsWith('GET ');

  it('reads the handlers Express serves (the route table and the metadata agree)', () => {
    const declared = new Set(all.flatMap((h) => h.routes));
    expect(served.filter((r) => !declared.has(r) && !r.startsWith('GET /admin/queues'))).toEqual([]);
    expect(all.filter((h) => h.mirrors.length > 0).length).toBeGreaterThan(10);
  });

  it('has a page form, or a listed reason, for every non-GET API route', () => {
    const uncovered = served.filter((r) => isApi(r) && isWrite(r)).filter((r) => !mirrored.has(r) && !(r in API_ONLY));
    expect(uncovered).toEqual([]);
  });

  it('lists no route that the app does not serve, and none that a page mirrors', () => {
    const listed = Object.keys(API_ONLY);
    expect(listed.filter((r) => !served.includes(r))).toEqual([]);
    expect(listed.filter((r) => !isApi(r) || !isWrite(r))).toEqual([]);
    expect(listed.filter((r) => mirrored.has(r))).toEqual([]);
    expect(Object.values(API_ONLY).filter((reason) => reason.trim().length < 20)).toEqual([]);
  });

  it('has every @Mirrors name an API route the app serves, on a page handler', () => {
    const wrong = all.flatMap((h) =>
      h.mirrors.filter((m) => !isApi(m) || !served.includes(m) || h.routes.some(isApi)).map((m) => `${h.name}: ${m}`),
    );
    expect(wrong).toEqual([]);
  });

  it('has every page form handler (non-GET outside /api) name the API route it performs', () => {
    const silent = all.filter((h) => h.routes.some((r) => !isApi(r) && isWrite(r)) && h.mirrors.length === 0);
    expect(silent.map((h) => `${h.name} (${h.routes.join(', ')})`)).toEqual([]);
  });
});
