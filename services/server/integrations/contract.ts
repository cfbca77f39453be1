/**
 * The sending side of the webhook contract (docs/PROTOCOL.md §5): the request body with its keys in the documented
 * order, the signature, delivery ids, the "managed" content hash, and one POST with its outcome classified.
 */
import { createHash, createHmac, hash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { DELIVERY_HEADER, DeliveryResponse, SIGNATURE_HEADER } from '../../../shared/assethub/integrations.ts';
import type { TAsset } from '../../../shared/assethub/catalogue.ts';

export type SyncType = 'sync' | 'deleted';

export interface Action {
  type: SyncType;
  asset: TAsset;
  integrationState: string | null;
  assetStateHash: string | null;
  assetId: string;
}

/** Response snippets kept with an attempt are at most this long. */
export const SNIPPET_CHARS = 500;
/**
 * What is read of a receiver's answer by default (PostRequest.maxResponseBytes): an Items list for a 500-action batch is
 * well below it, and a receiver that answers more cannot make the server buffer it.
 */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** The documented assetStateHash: "hash of the saved integration state", lowercase hex SHA-256 of the string. */
export const stateHash = (integrationState: string): string => hash('sha256', integrationState, 'hex');

/** The asset object as sent: the record without the catalogue's delta marker. */
export function assetForDelivery(asset: TAsset): TAsset {
  if (asset.operation === undefined) return asset;
  const { operation: _operation, ...rest } = asset;
  return rest;
}

/**
 * What "managed" delivery compares: the asset's content (externalComponentHash, size, uri, name, type), its tags and
 * keywords, and its metadata attributes (every non-system attribute) — not revisionId, authors or dates. Equal hashes
 * mean the receiver already has this content.
 */
export function contentHash(asset: TAsset): string {
  // A loop and the one-shot hash: asked once per asset of every batch.
  const metadata: Array<[string, string, unknown]> = [];
  for (const a of asset.attributes.data) if (a.category !== 'system') metadata.push([a.category, a.name, a.value]);
  return hash('sha256', JSON.stringify([asset.externalComponentHash, asset.size, asset.uri, asset.name, asset.type, asset.tags, asset.keywords, metadata]), 'hex');
}

/** The request body, exactly `{"actions":[{"type","asset","integrationState","assetStateHash","assetId"}],"configuration","tenantId"}`. */
export function deliveryBody(actions: readonly Action[], configuration: Record<string, unknown>, tenantId: string): string {
  return JSON.stringify({
    actions: actions.map((a) => ({
      type: a.type,
      asset: assetForDelivery(a.asset),
      integrationState: a.integrationState,
      assetStateHash: a.assetStateHash,
      assetId: a.assetId,
    })),
    configuration,
    tenantId,
  });
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. */
export function signature(secret: string, body: string | Buffer, unixSeconds: number): string {
  const t = String(Math.floor(unixSeconds));
  // The same bytes as HMAC(secret, t + "." + body) without copying the body into a new string (a body is ~70 KB).
  const hmac = createHmac('sha256', secret).update(`${t}.`, 'utf8');
  return `t=${t},v1=${(typeof body === 'string' ? hmac.update(body, 'utf8') : hmac.update(body)).digest('hex')}`;
}

/** A UUID-shaped id derived from `parts`, so the same batch gets the same delivery id after a restart. */
export function derivedDeliveryId(parts: readonly string[]): string {
  const h = createHash('sha256').update(parts.join('\n'), 'utf8').digest('hex');
  const variant = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export const snippet = (text: string): string => (text.length > SNIPPET_CHARS ? text.slice(0, SNIPPET_CHARS) : text);

/** A receiver's Item as recorded: its IntegrationState and that state's assetStateHash. */
export interface DeliveredItem { integrationState: string; assetStateHash: string }

/**
 * What one POST came to. `items` maps AssetId → Item for a 2xx with a valid body; the state hashes are computed here,
 * where the answer is read (on the delivery thread), not where it is recorded.
 */
export type PostOutcome =
  | { ok: true; httpStatus: number; items: Map<string, DeliveredItem>; response: string }
  | { ok: false; httpStatus: number | null; reason: string; response: string | null; aborted?: boolean };

export interface PostRequest {
  url: string;
  secret: string;
  /** The JSON text, or its UTF-8 bytes (what the delivery thread is handed). */
  body: string | Uint8Array;
  deliveryId: string;
  timeoutMs: number;
  /** Aborts without it counting as a failed attempt (the service is stopping or the integration went away). */
  cancel: AbortSignal;
  /** Unix seconds for the signature. */
  nowSeconds: number;
  /** Bytes of the answer read at most (default MAX_RESPONSE_BYTES); a longer one fails the batch, "response too large". */
  maxResponseBytes?: number;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}

/** Keep-alive connections for deliveries (one socket per in-flight batch is all an integration needs). */
export const deliveryAgents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 8 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 8 }),
};

/**
 * POSTs one signed batch with node:http (the request is written at once, so the next batch can be prepared while the
 * receiver works); never throws.
 */
export function postBatch(request: PostRequest): Promise<PostOutcome> {
  return new Promise((resolve) => {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), request.timeoutMs);
    const signal = AbortSignal.any([timeout.signal, request.cancel]);
    let httpStatus: number | null = null;
    let settled = false;
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const failed = (error: unknown) => {
      if (request.cancel.aborted) return finish({ ok: false, httpStatus, reason: 'cancelled', response: null, aborted: true });
      if (timeout.signal.aborted) return finish({ ok: false, httpStatus, reason: `timed out after ${request.timeoutMs} ms`, response: null });
      finish({ ok: false, httpStatus, reason: `request failed: ${describe(error)}`, response: null });
    };
    let url: URL;
    try {
      url = new URL(request.url);
    } catch (error) {
      failed(error);
      return;
    }
    const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
    const secure = url.protocol === 'https:';
    const req = (secure ? https : http).request(url, {
      method: 'POST',
      agent: secure ? deliveryAgents.https : deliveryAgents.http,
      signal,
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': body.length,
        [SIGNATURE_HEADER]: signature(request.secret, body, request.nowSeconds), // the UTF-8 bytes sent
        [DELIVERY_HEADER]: request.deliveryId,
      },
    }, (res) => {
      httpStatus = res.statusCode ?? null;
      const limit = request.maxResponseBytes ?? MAX_RESPONSE_BYTES;
      const chunks: Buffer[] = [];
      let size = 0;
      // The rest is never read: the connection is dropped (not returned to the keep-alive pool with a body pending).
      const tooLarge = () => {
        finish({ ok: false, httpStatus, reason: `response too large: more than ${limit} bytes`, response: chunks.length > 0 ? snippet(Buffer.concat(chunks).toString('utf8')) : null });
        req.destroy();
      };
      res.on('error', failed);
      res.on('aborted', () => failed(new Error('the response was cut off')));
      const declared = Number(res.headers['content-length']);
      if (declared > limit) return tooLarge();
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > limit) return tooLarge();
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (!res.complete) return failed(new Error('the response was cut off'));
        finish(classify(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
      });
    });
    req.on('error', failed);
    req.end(body);
  });
}

/** What a complete response means for the batch. */
export function classify(status: number, text: string): PostOutcome {
  if (status < 200 || status > 299) return { ok: false, httpStatus: status, reason: `HTTP ${status}: ${snippet(text)}`, response: snippet(text) };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, httpStatus: status, reason: `malformed response: ${error instanceof Error ? error.message : String(error)}`, response: snippet(text) };
  }
  const parsed = DeliveryResponse.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    return { ok: false, httpStatus: status, reason: `malformed response: ${where}: ${issue?.message ?? 'not a response'}`, response: snippet(text) };
  }
  const items = new Map<string, DeliveredItem>();
  for (const item of parsed.data.Items) items.set(item.AssetId, { integrationState: item.IntegrationState, assetStateHash: stateHash(item.IntegrationState) });
  return { ok: true, httpStatus: status, items, response: snippet(text) };
}
