/**
 * The `[dot]` codec (docs/PROTOCOL.md §1): a `.` inside a map key is written `[dot]`, both in Name paths and as keys of
 * the maps the documented states mark (docs/PROTOCOL.md §1, §4).
 *
 * Names that already contain the text `[dot]`: a literal `[` that starts the text `dot]` or `lbr]` is written
 * `[lbr]`, so `a[dot]b` encodes to `a[lbr]dot]b` and decodes back unchanged. Names without such a `[` encode exactly
 * as Pixotope does (`Project.Alpha` ⇄ `Project[dot]Alpha`). The only text read differently from a plain
 * `[dot]`-only decoder is the rare literal `[lbr]`.
 */

const DOT = '[dot]';
const LBR = '[lbr]';

const ENCODE = /\.|\[(?=(?:dot|lbr)\])/g;
const DECODE = /\[(?:dot|lbr)\]/g;

export function encodeKey(key: string): string {
  if (!key.includes('[')) return key.includes('.') ? key.replaceAll('.', DOT) : key;
  return key.replace(ENCODE, (m) => (m === '.' ? DOT : LBR));
}

/**
 * Decoded keys by wire key. The same few repository and workspace names come in every Update, so most keys are
 * decoded once; the cache is emptied when it reaches DECODED_KEPT entries (bounded whatever names arrive).
 */
const decoded = new Map<string, string>();
const DECODED_KEPT = 4096;

/** Left to right, each `[dot]` or `[lbr]` token is read once; a literal `[` never starts a token (see encodeKey). */
export function decodeKey(key: string): string {
  if (!key.includes('[')) return key;
  let out = decoded.get(key);
  if (out === undefined) {
    out = key.includes(LBR) ? key.replace(DECODE, (m) => (m === DOT ? '.' : '[')) : key.replaceAll(DOT, '.');
    if (decoded.size >= DECODED_KEPT) decoded.clear();
    decoded.set(key, out);
  }
  return out;
}

/** `['State', 'Repositories', 'Project.Beta', 'AutoPull']` → `State.Repositories.Project[dot]Beta.AutoPull`. */
export function encodeNamePath(segments: readonly string[]): string {
  return segments.map(encodeKey).join('.');
}

export function decodeNamePath(name: string): string[] {
  return name.split('.').map(decodeKey);
}

/**
 * Keys of these maps are encoded on the wire (the documented states mark them, docs/PROTOCOL.md §4; §5 adds
 * Integrations).
 */
export const MARKED_MAPS: ReadonlySet<string> = new Set(['Repositories', 'Clients', 'Workspaces', 'Integrations']);

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A copy with every key mapped, or the map itself when no key changes. The copy has no prototype: a name such as
 * `__proto__` stays an own key (on a `{}` its assignment would replace the prototype and the entry would be lost).
 */
function mapKeys(map: Record<string, unknown>, fn: (key: string) => string): Record<string, unknown> {
  const keys = Object.keys(map);
  let out: Record<string, unknown> | null = null;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    const mapped = fn(key);
    if (out === null && mapped === key) continue;
    if (out === null) {
      // First changed key: copy the keys before it, in order.
      out = Object.create(null) as Record<string, unknown>;
      for (let j = 0; j < i; j++) out[keys[j] as string] = map[keys[j] as string];
    }
    out[mapped] = map[key];
  }
  return out ?? map;
}

/**
 * Applies a key codec to the marked maps of the Value found at a (decoded) Name path: the maps at the top of a whole
 * state (`State`), or the map itself when the path ends on one (`State.Repositories`). Other paths hold no marked
 * map. Returns a new object; the input is not changed.
 */
function codeValueKeys(path: readonly string[], value: unknown, fn: (key: string) => string): unknown {
  if (!isPlainObject(value)) return value;
  if (path.length === 1) {
    let out: Record<string, unknown> | null = null;
    for (const key of Object.keys(value)) {
      const inner = value[key];
      if (!MARKED_MAPS.has(key) || !isPlainObject(inner)) continue;
      const mapped = mapKeys(inner, fn);
      if (mapped === inner) continue;
      // Own keys copied as they are (Object.assign onto `{}` would turn a `__proto__` key into the prototype).
      out ??= Object.assign(Object.create(null) as Record<string, unknown>, value);
      out[key] = mapped;
    }
    return out ?? value;
  }
  const last = path[path.length - 1];
  return last !== undefined && MARKED_MAPS.has(last) && path.length === 2 ? mapKeys(value, fn) : value;
}

export const decodeValueKeys = (path: readonly string[], value: unknown): unknown => codeValueKeys(path, value, decodeKey);
export const encodeValueKeys = (path: readonly string[], value: unknown): unknown => codeValueKeys(path, value, encodeKey);
