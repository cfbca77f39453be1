/**
 * Maps keyed by names that come from the wire (repository, workspace, client and integration names, an integration's
 * Configuration): objects without a prototype. Every name is an own key like any other — `__proto__` is stored, not
 * made the prototype; `constructor` or `toString` read as undefined when nobody sent them.
 *
 * zod's z.record builds a plain `{}` and silently drops a `__proto__` key, so wire maps are validated with nameRecord
 * instead (every decoder in shared/ uses it).
 */
import { z } from 'zod';

export type Dict<T> = Record<string, T>;

/** An empty map without a prototype. */
export const dict = <T>(): Dict<T> => Object.create(null) as Dict<T>;

/** A map without a prototype from entries (later ones win); on such an object `out[key] = v` defines an own key. */
export function dictFrom<T>(entries: Iterable<readonly [string, T]>): Dict<T> {
  const out = dict<T>();
  for (const [key, value] of entries) out[key] = value;
  return out;
}

/**
 * A copy without a prototype of a map's own keys. A loop over the keys, not Object.assign: for a map of hundreds of names
 * (a map that large is in V8's dictionary mode) it is 2–3 times cheaper, and the renderer copies its 500-machine maps on
 * every batch.
 */
export function copyDict<T>(map: Readonly<Dict<T>>): Dict<T> {
  const out = dict<T>();
  for (const key of Object.keys(map)) out[key] = map[key] as T;
  return out;
}

/**
 * `map[key]` when the map holds that key itself. A map that crossed a process boundary as JSON or a structured clone has
 * a prototype again, where `constructor` or `toString` would read as a function: look names up with this.
 */
export const own = <T>(map: Readonly<Dict<T>> | null | undefined, key: string): T | undefined =>
  map != null && Object.hasOwn(map, key) ? map[key] : undefined;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * z.record(z.string(), value) for maps keyed by names: the same checks (issues at `<key>.<path>`), and the output is a
 * prototype-free map holding every own key of the input, `__proto__` included.
 */
export function nameRecord<T extends z.ZodType>(value: T): z.ZodType<Dict<z.output<T>>, Dict<z.input<T>>> {
  return z.custom<Dict<z.input<T>>>(isPlainObject, { message: 'Invalid input: expected record' }).transform((input, ctx) => {
    const out = dict<z.output<T>>();
    for (const key of Object.keys(input)) {
      const parsed = value.safeParse(input[key]);
      if (parsed.success) out[key] = parsed.data;
      else for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [key, ...issue.path], input: input[key] });
    }
    return out;
  });
}
