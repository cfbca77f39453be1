/**
 * The custom `app://panel/` protocol that serves the built renderer (instead of file://, per the security checklist):
 * only files inside app/dist/renderer, never a path that climbs out of it, always with the strict CSP of the browser
 * host (the same header set, from main/lib/static-files.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CustomScheme } from 'electron';
import { contentTypeFor, resolveStaticPath, SECURITY_HEADERS } from '../lib/static-files.ts';
import { APP_HOST, APP_SCHEME } from './security.ts';

/** Registered before `ready`: a standard, secure scheme (so the page is a secure context with a real origin). */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true },
};

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/**
 * The handler for `protocol.handle('app', …)`. Answers GET/HEAD for files under `root` on host `panel`: 400 for a path
 * that would leave `root` (`..`, encoded `%2f`/`%5c` separators, NUL), 404 for anything missing or not a file.
 */
export function createAppProtocolHandler(rootDir: string): (request: Request) => Promise<Response> {
  const root = path.resolve(rootDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'Method not allowed');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return plain(400, 'Bad URL');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return plain(404, 'Not found');
    const file = resolveStaticPath(root, url.pathname);
    if (file === null) return plain(400, 'Bad path');
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return plain(404, 'Not found');
    const body = request.method === 'HEAD' ? null : await readFile(file);
    return new Response(body, {
      status: 200,
      headers: {
        ...SECURITY_HEADERS,
        'Content-Type': contentTypeFor(file),
        'Content-Length': String(info.size),
        'Cache-Control': 'no-store',
      },
    });
  };
}
