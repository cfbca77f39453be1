/**
 * Where a whole state changed: the Name paths below it whose values differ between two decoded Values, so that a
 * service re-broadcasting its whole AssetInfo after one workspace changed costs the renderer that workspace, and a
 * re-broadcast of the same value costs it nothing. A pure function of two JSON-shaped values; own keys only.
 */

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Obj, key: string): boolean => Object.prototype.hasOwnProperty.call(o, key);

/** Deeper than any state's schema: a value nested further is taken as changed rather than walked. */
const EQUAL_DEPTH_MAX = 64;

/** Whether two JSON-shaped values are equal, key order aside. */
export function jsonEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || depth > EQUAL_DEPTH_MAX) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i], depth + 1)) return false;
    return true;
  }
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!own(b as Obj, key) || !jsonEqual((a as Obj)[key], (b as Obj)[key], depth + 1)) return false;
  return true;
}

export interface DiffLimits {
  /** How far below the state a path may reach (AssetInfo.Workspaces.<workspace>.RemoteChanges is 3). */
  depth: number;
  /** More changed paths than this: null (send the whole state). */
  paths: number;
}

/**
 * The paths below the state at which `after` differs from `before`, each as deep as objects on both sides allow (up
 * to `limits.depth`): [] when they are equal. Null when a path cannot say it: a key gone (a path can only put a value
 * in), the top level not an object on both sides, or more than `limits.paths` paths.
 */
export function changedPaths(before: unknown, after: unknown, limits: DiffLimits): string[][] | null {
  if (!isObject(before) || !isObject(after)) return jsonEqual(before, after) ? [] : null;
  const paths: string[][] = [];
  const walk = (a: Obj, b: Obj, prefix: string[]): boolean => {
    for (const key of Object.keys(a)) if (!own(b, key)) return false;
    for (const key of Object.keys(b)) {
      const x = own(a, key) ? a[key] : undefined;
      const y = b[key];
      if (x === y) continue;
      const path = [...prefix, key];
      if (isObject(x) && isObject(y) && path.length < limits.depth) {
        if (!walk(x, y, path)) return false;
      } else if (x === undefined || !jsonEqual(x, y)) {
        paths.push(path);
        if (paths.length > limits.paths) return false;
      }
    }
    return true;
  };
  return walk(before, after, []) ? paths : null;
}
