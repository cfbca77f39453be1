/**
 * Values at Name paths (`State.Repositories.<repo>.AutoPull` split into segments): read one, or make a copy with one
 * put in or taken out, sharing every branch off the path. Loops, linear in the path's length: a Name is untrusted
 * input, and one with thousands of segments must neither block its reader nor overflow the stack. Keys are own
 * properties only; `__proto__` is a key like any other, never the prototype.
 */

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);
/** Sets an own property, as `{ ...o, [key]: v }` would. */
const define = (o: Obj, key: string, v: unknown): void => {
  Object.defineProperty(o, key, { value: v, writable: true, enumerable: true, configurable: true });
};

/** A shallow copy that keeps having no prototype when the original has none (maps keyed by names from the wire). */
const copyOf = (o: Obj): Obj => (Object.getPrototypeOf(o) === null ? Object.assign(Object.create(null) as Obj, o) : { ...o });

/** The value at `path` below `root`, through objects only; undefined when absent. */
export function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!isObject(node) || !own(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

/** A copy of `root` with `value` at `path` (objects made on the way), sharing everything not on the path. */
export function withValueAt(root: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  let original: Obj = isObject(root) ? root : {};
  const top: Obj = copyOf(original);
  let copy = top;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    const below = original[key];
    original = isObject(below) && own(original, key) ? below : {};
    const next: Obj = copyOf(original);
    define(copy, key, next);
    copy = next;
  }
  define(copy, path[path.length - 1] as string, value);
  return top;
}

/** A copy of `root` without the key at `path` (non-empty), sharing everything not on the path; `root` itself when absent. */
export function withoutValueAt(root: unknown, path: readonly string[]): unknown {
  const last = path[path.length - 1];
  const parent = valueAt(root, path.slice(0, -1));
  if (last === undefined || !isObject(parent) || !own(parent, last)) return root;
  const parents: Obj[] = [root as Obj];
  for (let i = 0; i < path.length - 1; i++) parents.push((parents[i] as Obj)[path[i] as string] as Obj);
  const rest = copyOf(parent);
  delete rest[last];
  let node: Obj = rest;
  for (let i = path.length - 2; i >= 0; i--) {
    const copy: Obj = copyOf(parents[i] as Obj);
    define(copy, path[i] as string, node);
    node = copy;
  }
  return node;
}
