/** `/api` and everything under it: JSON, bearer tokens, no CSRF tokens; everything else is a page. */
export function isApiPath(path: string): boolean {
  return path === '/api' || path.startsWith('/api/');
}
