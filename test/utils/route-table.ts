import type { TestApp } from './create-test-app.js';

/** `METHOD /path` of every route Express serves; the OpenAPI document's own are left out (public by design, no data). */
export function routeTable(t: TestApp): string[] {
  const router = (
    t.app.getHttpAdapter().getInstance() as {
      router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
    }
  ).router;
  return router.stack
    .filter((layer) => layer.route)
    .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m.toUpperCase()} ${layer.route!.path}`))
    .filter((route) => !/^GET \/api\/docs/.test(route));
}
