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
  return withValuesAt(root, [[path, value]]);
}

/**
 * A copy of `root` with each value put at its path in turn, copying each object on the way once however many paths
 * go through it: fifty clients' entries of a 500-client map make one copy of the map, not fifty.
 */
export function withValuesAt(root: unknown, puts: readonly (readonly [readonly string[], unknown])[]): unknown {
  // Objects made by this call: written in place. Anything else (the original, a value put in) is copied first.
  const made = new Set<Obj>();
  const writable = (o: unknown): Obj => {
    if (isObject(o) && made.has(o)) return o;
    const copy = copyOf(isObject(o) ? o : {});
    made.add(copy);
    return copy;
  };
  let top = root;
  for (const [path, value] of puts) {
    if (path.length === 0) {
      top = value;
      continue;
    }
    let node = writable(top);
    top = node;
    for (let i = 0; i < path.length - 1; i++) {
      const key = path[i] as string;
      const next = writable(own(node, key) ? node[key] : undefined);
      define(node, key, next);
      node = next;
    }
    define(node, path[path.length - 1] as string, value);
  }
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
