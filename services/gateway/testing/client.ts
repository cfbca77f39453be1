/**
 * A Gateway client for tests, as bare as real ones: node:http, so that every header is the test's (no Content-Type, a
 * foreign Host, an Origin) and nothing is added behind its back.
 */
import { request } from 'node:http';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface RawRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One request to `baseUrl` (`http://host:port`); resolves with whatever the Gateway answered. */
export function send(baseUrl: string, req: RawRequest): Promise<Answer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const r = request(
      { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port, method: req.method ?? 'GET', path: req.path, headers: req.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

/** A reply as the Gateway answers it. */
export interface Reply {
  Topic: Record<string, string>;
  Message: Record<string, unknown>;
}

/** The POST form: `body` is JSON-encoded unless it is a string already; no Content-Type unless given. */
export function post(baseUrl: string, body: unknown, options: { version?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return send(baseUrl, {
    method: 'POST',
    path: `/gateway/${options.version ?? '26.1.0'}/publish`,
    headers: options.headers ?? {},
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The GET form with `query` as written (the test encodes what it wants encoded). */
export function get(baseUrl: string, query: string, options: { version?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return send(baseUrl, { path: `/gateway/${options.version ?? '2.0'}/publish?${query}`, headers: options.headers ?? {} });
}

/** The answer's replies; fails the test's expectation when it is not a 200 array. */
export function replies(answer: Answer): Reply[] {
  if (answer.status !== 200 || !Array.isArray(answer.json)) throw new Error(`expected a 200 array, got ${answer.status}: ${answer.text.slice(0, 300)}`);
  return answer.json as Reply[];
}
