/**
 * How the panel knows a Set or a Reset took effect (the protocol gives them no reply):
 * - Set → the service's next BROADCAST Update of that state. The Set resolves when the value at the path contains what
 *   was set (equal for anything but objects; an object matches when each key it names has the value set, since a
 *   service may keep keys the Set did not name). An Update that does not show it refuses the oldest pending Set of
 *   that state (SET_REFUSED) only with a Warning or Error Log of the service's since the Set, whichever of the two
 *   comes first (the reference services log why, then re-broadcast the unchanged state): without one it may be an
 *   Update the service sent before it read the Set (live figures of a busy state), so the Set waits on; at its
 *   timeout, a Set that was only ever shown otherwise is SET_REFUSED ("still shows"), one never answered TIMEOUT.
 *   Later Sets of the same state wait for their own Update, so two quick Sets of different paths both resolve.
 * - Reset → the service's next BROADCAST Update of `State`. Timeout: TIMEOUT.
 * "Next" means after the hub routed the request: the panel subscribes to Set and Reset, so the hub hands its own
 * request back to it (ZeroMQ semantics, on both fabrics), in order with everything else it routes. A waiter is armed
 * by that echo; Updates the panel receives before it were routed before the request and cannot answer it (one that
 * was already on its way would otherwise fail a Set that the service accepts a moment later). A hub that does not
 * echo a peer's own messages arms the waiter after ARM_FALLBACK_MS instead.
 * Gets and Calls are the hub peer's (peer/correlation.ts). When the connection ends every pending Set and Reset
 * fails with DISCONNECTED.
 */
import { decodeKey, encodeNamePath, encodeValueKeys, envelope, type Envelope } from '../../shared/protocol/index.ts';
import { stateTraitsOf, type StateTraits, type StateTraitsTable } from '../../shared/assethub/state-traits.ts';
import { kindOf } from './directory.ts';
import { valueAt } from './state-cache.ts';
import { EngineError } from './types.ts';

export interface ConfirmationsOptions {
  timeoutMs: number;
  /** The states' traits (which fields are write-only); default the shared table, STATE_TRAITS. */
  traits?: StateTraitsTable;
  /** Sends a message to the hub; false when not connected. */
  send(message: Envelope): boolean;
}

interface Settle {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Armable extends Settle {
  /** The hub routed the request: Updates from now on may answer it. */
  armed: boolean;
  armTimer: NodeJS.Timeout;
}

interface SetWaiter extends Armable {
  service: string;
  /** The Name as sent. */
  wireName: string;
  state: string;
  /** The path below the state. */
  rest: readonly string[];
  value: unknown;
  /** Warning / Error Log lines from the service since the Set was sent. */
  logs: string[];
  /** What an Update showed at the path instead of the value set, when one did. */
  shownInstead?: { value: unknown };
}

interface ResetWaiter extends Armable {
  service: string;
  logs: string[];
}

/** A Set or Reset whose echo did not come back within this long is armed anyway. */
export const ARM_FALLBACK_MS = 1000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `actual` shows `expected`: equal, except that an expected object only constrains the keys it names. */
export function shows(expected: unknown, actual: unknown): boolean {
  if (Object.is(expected, actual)) return true;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => shows(e, actual[i]));
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return false;
    for (const key of Object.keys(expected)) {
      if (!Object.prototype.hasOwnProperty.call(actual, key) || !shows(expected[key], actual[key])) return false;
    }
    return true;
  }
  return false;
}

/**
 * What a Set's Update must show, given the state's traits (shared/assethub/state-traits.ts): a write-only field never
 * comes back (an integration's `Secret`: Get shows `SecretSet` instead, docs/PROTOCOL.md §5), so a Set that names one
 * with a value is confirmed by its shown flag being true, and one without a value by nothing.
 */
export function expectedShown(traits: StateTraits, rest: readonly string[], value: unknown): { rest: readonly string[]; value: unknown } {
  const writeOnly = Object.entries(traits.writeOnly);
  if (writeOnly.length === 0) return { rest, value };
  // Where the write-only fields sit: in each entry of a state keyed by name, else in the state itself.
  const depth = traits.keyedByName ? 1 : 0;
  const entry = (v: unknown): unknown => {
    if (!isObject(v)) return v;
    let shown: Record<string, unknown> = v;
    for (const [field, flag] of writeOnly) {
      if (!Object.prototype.hasOwnProperty.call(shown, field)) continue;
      const { [field]: secret, ...others } = shown;
      shown = typeof secret === 'string' && secret !== '' ? { ...others, [flag]: true } : others;
    }
    return shown;
  };
  if (rest.length < depth && isObject(value)) return { rest, value: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, entry(v)])) };
  if (rest.length === depth) return { rest, value: entry(value) };
  const field = rest[depth] as string;
  if (rest.length === depth + 1 && Object.prototype.hasOwnProperty.call(traits.writeOnly, field) && typeof value === 'string' && value !== '') {
    return { rest: [...rest.slice(0, depth), traits.writeOnly[field] as string], value: true };
  }
  return { rest, value };
}

/** Whether `actual` shows what a Set asked for: null (remove the value) is shown by null or by nothing there. */
export const showsSet = (expected: unknown, actual: unknown): boolean => (expected === null ? actual === null || actual === undefined : shows(expected, actual));

const pathText = (path: readonly string[]): string => path.join('.');

export class Confirmations {
  private readonly sets = new Map<string, SetWaiter[]>();
  private readonly resets = new Map<string, ResetWaiter[]>();

  constructor(private readonly options: ConfirmationsOptions) {}

  /** Sets and Resets waiting for their confirmation. */
  get pending(): number {
    let n = 0;
    for (const list of this.sets.values()) n += list.length;
    for (const list of this.resets.values()) n += list.length;
    return n;
  }

  private timer(ms: number, onTimeout: () => void): NodeJS.Timeout {
    return setTimeout(onTimeout, ms);
  }

  /** Sets a value (`path` decoded: state name first); resolves when the service's Update shows it. */
  set(service: string, path: readonly string[], value: unknown): Promise<void> {
    const [state, ...rest] = path;
    if (state === undefined) return Promise.reject(new EngineError('INTERNAL', 'a Set needs a path'));
    const key = `${service}\n${state}`;
    const wireName = encodeNamePath(path);
    const { timeoutMs } = this.options;
    return new Promise<void>((resolve, reject) => {
      const waiter: SetWaiter = {
        service, wireName, state, rest, value, logs: [], armed: false,
        armTimer: setTimeout(() => void (waiter.armed = true), Math.min(ARM_FALLBACK_MS, timeoutMs / 2)),
        resolve: () => resolve(),
        reject,
        timer: this.timer(timeoutMs, () => {
          this.removeSet(key, waiter);
          clearTimeout(waiter.armTimer);
          const instead = waiter.shownInstead;
          if (instead) reject(new EngineError('SET_REFUSED', `${service} did not take Set ${pathText(path)}: after ${timeoutMs} ms its ${state} still shows ${short(instead.value)}`));
          else reject(new EngineError('TIMEOUT', `${service} did not confirm Set ${pathText(path)} within ${timeoutMs} ms${said(waiter.logs)}`));
        }),
      };
      const list = this.sets.get(key) ?? [];
      list.push(waiter);
      this.sets.set(key, list);
      const sent = this.options.send(envelope<'Set'>({ Type: 'Set', Target: service, Name: wireName }, { Value: encodeValueKeys(path, value) }));
      if (!sent) {
        this.removeSet(key, waiter);
        stopTimers(waiter);
        reject(new EngineError('NOT_CONNECTED', `not connected to a hub: cannot set ${service} ${pathText(path)}`));
      }
    });
  }

  /** Asks a service to return its State to defaults; resolves on its next BROADCAST Update of State. */
  reset(service: string): Promise<void> {
    const { timeoutMs } = this.options;
    return new Promise<void>((resolve, reject) => {
      const waiter: ResetWaiter = {
        service, logs: [], armed: false,
        armTimer: setTimeout(() => void (waiter.armed = true), Math.min(ARM_FALLBACK_MS, timeoutMs / 2)),
        resolve: () => resolve(),
        reject,
        timer: this.timer(timeoutMs, () => {
          this.removeReset(service, waiter);
          clearTimeout(waiter.armTimer);
          reject(new EngineError('TIMEOUT', `${service} did not confirm the Reset within ${timeoutMs} ms${said(waiter.logs)}`));
        }),
      };
      const list = this.resets.get(service) ?? [];
      list.push(waiter);
      this.resets.set(service, list);
      if (!this.options.send(envelope<'Reset'>({ Type: 'Reset', Target: service }, {}))) {
        this.removeReset(service, waiter);
        stopTimers(waiter);
        reject(new EngineError('NOT_CONNECTED', `not connected to a hub: cannot reset ${service}`));
      }
    });
  }

  /** A Set or Reset routed by the hub (the panel's own, echoed; or another panel's): arms the first matching waiter. */
  onRequestSeen(type: 'Set' | 'Reset', target: string, wireName: string | undefined): void {
    if (type === 'Reset') {
      const w = this.resets.get(target)?.find((x) => !x.armed);
      if (w) arm(w);
      return;
    }
    if (wireName === undefined) return;
    const state = wireName.split('.', 1)[0] ?? wireName;
    const w = this.sets.get(`${target}\n${decodeKey(state)}`)?.find((x) => !x.armed && x.wireName === wireName);
    if (w) arm(w);
  }

  private removeSet(key: string, waiter: SetWaiter): void {
    const list = this.sets.get(key);
    if (!list) return;
    const i = list.indexOf(waiter);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.sets.delete(key);
  }

  private removeReset(service: string, waiter: ResetWaiter): void {
    const list = this.resets.get(service);
    if (!list) return;
    const i = list.indexOf(waiter);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.resets.delete(service);
  }

  /** A BROADCAST Update: `path` is its decoded Name (state first), `value` its decoded Value. */
  onBroadcast(source: string, path: readonly string[], value: unknown): void {
    const state = path[0];
    if (state === undefined) return;
    if (state === 'State') {
      const resets = this.resets.get(source);
      if (resets) {
        for (const w of resets.filter((x) => x.armed)) {
          this.removeReset(source, w);
          stopTimers(w);
          w.resolve(undefined);
        }
      }
    }
    const key = `${source}\n${state}`;
    const list = this.sets.get(key);
    if (!list) return;
    const below = path.slice(1);
    const oldest = list.find((w) => w.armed);
    const answered: SetWaiter[] = [];
    let refuse: SetWaiter | null = null;
    for (const w of list) {
      if (!w.armed) continue;
      // The Update says something about w's path only when it covers it (its path is a prefix of w's).
      if (below.length > w.rest.length || below.some((k, i) => w.rest[i] !== k)) continue;
      const expected = expectedShown(stateTraitsOf(kindOf(w.service), w.state, this.options.traits), w.rest, w.value);
      const shown = valueAt(value, expected.rest.slice(below.length));
      if (showsSet(expected.value, shown)) answered.push(w);
      else if (w === oldest) {
        w.shownInstead = { value: shown };
        if (w.logs.length > 0) refuse = w;
      }
    }
    for (const w of answered) {
      this.removeSet(key, w);
      stopTimers(w);
      w.resolve(undefined);
    }
    if (refuse) this.refuse(key, refuse);
  }

  /** A Set the service said no to: a Warning or Error Log, and an Update that does not show the value. */
  private refuse(key: string, w: SetWaiter): void {
    this.removeSet(key, w);
    stopTimers(w);
    w.reject(new EngineError('SET_REFUSED', `${w.service} refused Set ${pathText([w.state, ...w.rest])}: ${w.logs.join('; ')}`));
  }

  /** A Log line from a service: Warnings and Errors are kept with its pending Sets and Resets (they say why). */
  onLog(source: string, level: string, message: string): void {
    if (level !== 'Warning' && level !== 'Error') return;
    for (const [key, list] of this.sets) {
      if (!key.startsWith(`${source}\n`)) continue;
      for (const w of list) w.logs.push(message);
      // Already shown otherwise, the Set is refused now that the service has said why.
      const oldest = list.find((w) => w.armed);
      if (oldest?.shownInstead) this.refuse(key, oldest);
    }
    for (const w of this.resets.get(source) ?? []) w.logs.push(message);
  }

  /** Fails every pending Set and Reset (connection lost, engine closed). */
  failAll(code: string, message: string): void {
    const all: Settle[] = [];
    for (const list of this.sets.values()) all.push(...list);
    for (const list of this.resets.values()) all.push(...list);
    this.sets.clear();
    this.resets.clear();
    for (const s of all) {
      clearTimeout(s.timer);
      if ('armTimer' in s) clearTimeout((s as Armable).armTimer);
      s.reject(new EngineError(code, message));
    }
  }
}

function arm(w: Armable): void {
  w.armed = true;
  clearTimeout(w.armTimer);
}

/** Stops a waiter's timers (it is about to be settled). */
function stopTimers(w: Armable): void {
  clearTimeout(w.timer);
  clearTimeout(w.armTimer);
}

const said = (logs: readonly string[]): string => (logs.length > 0 ? ` (it logged: ${logs.join('; ')})` : '');

function short(value: unknown): string {
  const text = value === undefined ? 'nothing there' : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
