/** How deep a JSON body may nest: the API's deepest DTO is three levels; anything past this is hostile. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether a JSON text nests arrays and objects deeper than `limit`, found by one scan of the
 * bytes (strings skipped, escapes honoured) before anything parses, transforms or validates it —
 * so a body nested 10 000 deep costs a loop, not a recursion per level.
 */
export function nestsDeeperThan(json: Buffer | string, limit: number): boolean {
  const bytes = typeof json === 'string' ? Buffer.from(json) : json;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c) {
        i++; // backslash: the next byte is escaped
      } else if (c === 0x22) {
        inString = false;
      }
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > limit) {
        return true;
      }
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return false;
}

/** The body parser's `verify` hook: refuses an over-deep body with a 400 naming `body`. */
export function refuseDeepJson(_req: unknown, _res: unknown, body: Buffer): void {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw Object.assign(new Error(`body: 请求内容嵌套超过 ${MAX_JSON_DEPTH} 层`), {
      status: 400,
      expose: true,
      type: 'entity.too.deep',
    });
  }
}
