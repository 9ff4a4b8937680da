import { once } from 'node:events';
import { createReadStream, statSync } from 'node:fs';
import { request } from 'node:http';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The benchmarks' HTTP client for uploads, as the pages and API clients use the app: sign in, POST a
 * file as multipart/form-data (streamed from disk with its Content-Length, as a browser sends it),
 * then poll a status URL until the job reaches a terminal state.
 */

/** Signs in through POST /api/auth/login; answers the bearer token. */
export async function signIn(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) {
    throw new Error(`sign-in as ${username} failed: ${res.status} ${await res.text()}`);
  }
  return ((await res.json()) as { accessToken: string }).accessToken;
}

export interface UploadOptions {
  /** The file on disk to send. */
  path: string;
  token: string;
  /** The multipart field (default `file`). */
  field?: string;
  /** The name the file is sent under (default: its own). */
  fileName?: string;
  contentType?: string;
  /** Extra multipart text fields sent before the file (e.g. `year`). */
  fields?: Record<string, string>;
}

/** POSTs `options.path` to `url` as multipart/form-data, streamed; answers the status and the parsed JSON body. */
export async function postFile(url: string, options: UploadOptions): Promise<{ status: number; body: unknown }> {
  const boundary = `----hpa-bench-${Date.now().toString(36)}`;
  const texts = Object.entries(options.fields ?? {})
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  const head = Buffer.from(
    `${texts}--${boundary}\r\nContent-Disposition: form-data; name="${options.field ?? 'file'}"; filename="${options.fileName ?? basename(options.path)}"\r\nContent-Type: ${options.contentType ?? 'text/csv'}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const req = request(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${options.token}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'content-length': head.length + statSync(options.path).size + tail.length,
    },
  });
  const answer = once(req, 'response') as Promise<[import('node:http').IncomingMessage]>;
  answer.catch(() => undefined);
  req.write(head);
  for await (const chunk of createReadStream(options.path, { highWaterMark: 256 * 1024 })) {
    if (!req.write(chunk as Buffer)) {
      await Promise.race([once(req, 'drain'), answer]);
    }
  }
  req.end(tail);
  const [res] = await answer;
  let text = '';
  for await (const chunk of res) {
    text += (chunk as Buffer).toString();
  }
  return { status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : null };
}

/**
 * GETs `url` every `intervalMs` until `terminal(body)` holds; answers that body. Throws on a non-2xx
 * answer or after `timeoutMs`.
 */
export async function pollUntil<T>(
  url: string,
  token: string,
  terminal: (body: T) => boolean,
  { intervalMs = 100, timeoutMs = 30 * 60_000 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) {
      throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
    }
    const body = (await res.json()) as T;
    if (terminal(body)) {
      return body;
    }
    if (Date.now() > deadline) {
      throw new Error(`GET ${url}: no terminal state after ${timeoutMs} ms (${JSON.stringify(body)})`);
    }
    await sleep(intervalMs);
  }
}
