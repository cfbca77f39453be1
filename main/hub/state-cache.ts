/**
 * The state cache: decoded and validated whole states per service. A Value is validated against the documented schema
 * (STATE_SCHEMAS) before it enters; an invalid one is kept out, the previous good state stays, and the problem is
 * recorded as that service's error until a valid Value of the same state arrives. Cached values are never mutated:
 * an Update of a path below a state builds a new state that shares every untouched branch with the old one. A whole
 * state that comes again is told as the paths where it changed (nothing when it did not), so that a client's
 * AssetInfo re-broadcast after one workspace changed reaches the renderer as that workspace's entry.
 * Services of unknown kinds are not cached, except the hub's `Stats` (no schema: kept as received).
 */
import { formatIssues, partSchemaOf, stateSchemaOf } from '../../shared/assethub/index.ts';
import { STATE_TRAITS, stateTraitsOf, type StateTraitsTable } from '../../shared/assethub/state-traits.ts';
import { dict } from '../../shared/dict.ts';
import { withValueAt, withoutValueAt } from '../../shared/protocol/value-path.ts';
import { changedPaths, type DiffLimits } from '../../shared/protocol/value-diff.ts';
import type { Kind } from './directory.ts';

export type ApplyOutcome = 'applied' | 'invalid' | 'ignored' | 'no-base';

export interface StateCacheEvents {
  /** A state's cached value changed: at `path` below it only, or (no path) anywhere. */
  onState(service: string, state: string, path?: readonly string[]): void;
  /** The service's error text changed (null: no state of it is invalid now). */
  onError(service: string, error: string | null): void;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * How a whole state that came again is told: the paths where it changed, down to a workspace's list of changes
 * (AssetInfo.Workspaces.<workspace>.LocalChanges), at most as many as the batcher sends as paths (else: whole).
 */
export const WHOLE_DIFF: DiffLimits = { depth: 3, paths: 64 };

export { valueAt, withValueAt, withoutValueAt } from '../../shared/protocol/value-path.ts';

/** Whether a state of this kind of service is cached. */
export function isCachedState(kind: Kind, state: string): boolean {
  if (kind === 'server' || kind === 'client') return stateSchemaOf(kind, state) !== null;
  return kind === 'hub' && state === 'Stats';
}

export class StateCache {
  private readonly states = new Map<string, Record<string, unknown>>();
  /** Per service, per state: the issues of the last invalid Value. */
  private readonly problems = new Map<string, Map<string, string>>();

  constructor(
    private readonly events: StateCacheEvents,
    /** The states' traits (which entries a null removes); default the shared table, STATE_TRAITS. */
    private readonly traits: StateTraitsTable = STATE_TRAITS,
  ) {}

  get(service: string, state: string): unknown {
    return this.states.get(service)?.[state];
  }

  /** Every cached state, by service then state name (the snapshot's `states`). */
  all(): Record<string, Record<string, unknown>> {
    // Keyed by service names from the wire: no prototype, so any name is a plain key.
    const out = dict<Record<string, unknown>>();
    for (const [service, states] of this.states) out[service] = Object.assign(dict<unknown>(), states);
    return out;
  }

  /**
   * A whole state (its Value decoded, not yet validated). Null means the service has no such value (docs/PROTOCOL.md
   * §1): nothing is cached and nothing is wrong.
   */
  applyWhole(service: string, kind: Kind, state: string, value: unknown): { outcome: ApplyOutcome; issues?: string[] } {
    if (!isCachedState(kind, state) || value === null || value === undefined) return { outcome: 'ignored' };
    return this.store(service, kind, state, value);
  }

  /**
   * A value below a state (`path` after the state name, non-empty), applied into a copy of the cached state. In a
   * state whose traits say its entries are removable by null (`Integrations`), null for an entry removes it
   * (docs/PROTOCOL.md §1: null is no value).
   */
  applyPath(service: string, kind: Kind, state: string, path: readonly string[], value: unknown): { outcome: ApplyOutcome; issues?: string[] } {
    if (!isCachedState(kind, state)) return { outcome: 'ignored' };
    const base = this.get(service, state);
    if (base === undefined) return { outcome: 'no-base' };
    const traits = stateTraitsOf(kind, state, this.traits);
    const removal = value === null && path.length === 1 && traits.keyedByName && traits.removableByNull;
    if (removal) return this.store(service, kind, state, withoutValueAt(base, path));
    // One client's entry of a 500-client WorkspaceInfo: validate that entry, not the whole state again.
    const part = kind === 'server' || kind === 'client' ? partSchemaOf(kind, state, path) : null;
    if (!part) return this.store(service, kind, state, withValueAt(base, path, value));
    const parsed = part.safeParse(value);
    if (!parsed.success) {
      const issues = formatIssues(parsed.error).map((issue) => `${path.join('.')}.${issue}`);
      this.setProblem(service, state, issues.join('; '));
      return { outcome: 'invalid', issues };
    }
    return this.put(service, state, withValueAt(base, path, parsed.data), [path]);
  }

  private store(service: string, kind: Kind, state: string, value: unknown): { outcome: ApplyOutcome; issues?: string[] } {
    let valid: unknown = value;
    const schema = kind === 'server' || kind === 'client' ? stateSchemaOf(kind, state) : null;
    if (schema) {
      const parsed = schema.safeParse(value);
      if (!parsed.success) {
        const issues = formatIssues(parsed.error);
        this.setProblem(service, state, issues.join('; '));
        return { outcome: 'invalid', issues };
      }
      valid = parsed.data;
      const before = this.get(service, state);
      const paths = before === undefined ? null : changedPaths(before, valid, WHOLE_DIFF);
      if (paths !== null) return this.put(service, state, valid, paths);
    } else if (!isObject(value)) {
      // The hub's Stats has no schema in shared/: only its shape (an object) is checked.
      this.setProblem(service, state, '(value): expected an object');
      return { outcome: 'invalid', issues: ['(value): expected an object'] };
    }
    return this.put(service, state, valid);
  }

  /** Caches a validated state value, changed anywhere, or (`paths`) only there: none, when it is the same again. */
  private put(service: string, state: string, valid: unknown, paths?: readonly (readonly string[])[]): { outcome: ApplyOutcome } {
    let states = this.states.get(service);
    if (!states) {
      states = dict<unknown>();
      this.states.set(service, states);
    }
    states[state] = valid;
    this.setProblem(service, state, null);
    if (!paths) this.events.onState(service, state);
    else for (const path of paths) this.events.onState(service, state, path);
    return { outcome: 'applied' };
  }

  private setProblem(service: string, state: string, problem: string | null): void {
    let byState = this.problems.get(service);
    const before = byState?.get(state) ?? null;
    if (before === problem) return;
    if (problem === null) byState?.delete(state);
    else {
      if (!byState) {
        byState = new Map();
        this.problems.set(service, byState);
      }
      byState.set(state, problem);
    }
    this.events.onError(service, this.errorOf(service));
  }

  /** The issues of the last Value of this state, when it was invalid; null when it was valid (or never came). */
  problemOf(service: string, state: string): string | null {
    return this.problems.get(service)?.get(state) ?? null;
  }

  /** The service's error text: one `State: issues` part per state whose last Value was invalid. */
  errorOf(service: string): string | null {
    const byState = this.problems.get(service);
    if (!byState || byState.size === 0) return null;
    return [...byState].map(([state, issues]) => `${state}: ${issues}`).join(' | ');
  }

  forget(service: string): void {
    this.states.delete(service);
    this.problems.delete(service);
  }

  clear(): void {
    this.states.clear();
    this.problems.clear();
  }
}
