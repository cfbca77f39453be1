/**
 * The message log in the renderer: every frame the engine reports (the `log` event), kept as the last N rows. Rows are
 * held in a plain array outside React state (100,000 of them must not be copied on every batch); the store only
 * publishes a `version` that changes once per batch, and views read the rows with `logRows()`.
 *
 * Each row carries what the list shows and what search matches, computed once when it arrives, so that rendering and
 * filtering never parse a frame again.
 */
import { create } from 'zustand';
import type { EventData, LogEntry } from '../../../shared/panel/api.ts';
import { usePanel } from './panel.ts';

export interface LogRow {
  /** Local, increasing: survives the engine's own seq starting again after a restart. */
  id: number;
  entry: LogEntry;
  type: string;
  target: string;
  source: string;
  /** The Name, or the Method for a Call / CallResult. */
  what: string;
  /** Lower-case Target, Source, Name and Method, for search. */
  key: string;
}

export const KEEP_CHOICES = [1_000, 10_000, 100_000] as const;
export const DEFAULT_KEEP = 10_000;

export interface LogStore {
  /** Changes whenever the rows change. */
  version: number;
  count: number;
  /** Rows that fell off the end because of the keep limit, since the last clear. */
  dropped: number;
  capacity: number;
  paused: boolean;
  /** Every Type seen, sorted. */
  types: string[];
  setCapacity(capacity: number): void;
  setPaused(paused: boolean): void;
  clear(): void;
}

let rows: LogRow[] = [];
/** Ids of rows loaded from the engine's history: below every live row's, increasing along the list like theirs. */
let historyFloor = 0;
/** The newest seq the history brought, until a newer live entry comes. */
let historyTop: number | null = null;
let nextId = 1;

/** The rows kept now, oldest first. Do not mutate. */
export const logRows = (): readonly LogRow[] => rows;

export function toRow(entry: LogEntry, id: number): LogRow {
  const topic = entry.topic ?? {};
  const type = topic['Type'] ?? '(undecoded)';
  const target = topic['Target'] ?? '';
  const source = topic['Source'] ?? '';
  const name = topic['Name'] ?? '';
  const method = topic['Method'] ?? '';
  return { id, entry, type, target, source, what: name || method, key: `${target}\n${source}\n${name}\n${method}`.toLowerCase() };
}

export const useLog = create<LogStore>()((set, get) => ({
  version: 0,
  count: 0,
  dropped: 0,
  capacity: DEFAULT_KEEP,
  paused: false,
  types: [],
  setCapacity(capacity) {
    const over = rows.length - capacity;
    if (over > 0) rows = rows.slice(over);
    set({ capacity, count: rows.length, dropped: get().dropped + Math.max(0, over), version: get().version + 1 });
  },
  setPaused(paused) {
    set({ paused });
  },
  clear() {
    rows = [];
    set({ count: 0, dropped: 0, version: get().version + 1 });
  },
}));

/** Folds one batch of entries in (nothing while paused). Exported for tests. */
export function ingest(data: EventData<'log'>): void {
  const state = useLog.getState();
  if (state.paused || data.entries.length === 0) return;
  let entries = data.entries;
  if (historyTop !== null) {
    // Entries the history already brought (recorded before it was read, sent live just after): not twice. Once a
    // newer one comes, every later one is newer too (the engine's seq only grows), so the check ends there.
    const top = historyTop;
    entries = entries.filter((e) => e.seq > top);
    if (entries.length > 0) historyTop = null;
    if (entries.length === 0) return;
  }
  const fresh = entries.map((entry) => toRow(entry, nextId++));
  let types = state.types;
  for (const row of fresh) {
    if (!types.includes(row.type)) types = [...types, row.type].sort();
  }
  const total = rows.length + fresh.length;
  const over = Math.max(0, total - state.capacity);
  rows = over > 0 ? rows.concat(fresh).slice(over) : rows.concat(fresh);
  useLog.setState({ count: rows.length, dropped: state.dropped + over, types, version: state.version + 1 });
}


/**
 * The engine's log from before this page began (a reload, a second window), paged back from the oldest row held
 * until the keep limit or the start of the engine's log. Rows that came live meanwhile win over the same entries.
 */
export async function loadHistory(fetchPage: (before: number | undefined) => Promise<EventData<'log'> & { more: boolean }>): Promise<void> {
  const loaded: LogEntry[] = [];
  let before = rows[0]?.entry.seq;
  while (rows.length + loaded.length < useLog.getState().capacity) {
    const page = await fetchPage(before);
    loaded.unshift(...page.entries);
    if (!page.more || page.entries.length === 0) break;
    before = page.entries[0]?.seq;
  }
  const oldestLive = rows[0]?.entry.seq ?? Infinity;
  const older = loaded.filter((e) => e.seq < oldestLive);
  if (older.length === 0) return;
  if (rows.length === 0) historyTop = older.at(-1)?.seq ?? null;
  const start = historyFloor - older.length;
  historyFloor = start;
  const state = useLog.getState();
  const merged = older.map((entry, i) => toRow(entry, start + i)).concat(rows);
  rows = merged.slice(Math.max(0, merged.length - state.capacity));
  const types = [...new Set([...state.types, ...rows.map((r) => r.type)])].sort();
  useLog.setState({ count: rows.length, types, version: state.version + 1 });
}

// Only while watched: a desktop window reloaded with its Log view open still gets live frames until the view's next
// watch ends (the window keeps the choice), and they must not fill a list no one shows.
usePanel.getState().onLog((data) => {
  if (watchers > 0) ingest(data);
});

/**
 * Live frames come only while a view shows the log: at 500 machines the engine sees megabytes of frames a second, and
 * a page that does not show them must not parse them. Each watch starts from an empty list, asks the page's transport
 * for live frames (`watchLog`), then loads the engine's history from before, so the frames of the time the log was
 * not shown are there too, and no gap is left between old rows and new ones.
 */
let watchers = 0;
let watchGeneration = 0;

async function beginWatch(): Promise<void> {
  const generation = ++watchGeneration;
  // Ids go on from the last watch's (history ids below historyFloor, live ones above): a list never sees one twice.
  rows = [];
  historyTop = null;
  useLog.setState((s) => ({ count: 0, version: s.version + 1 }));
  const { invoke } = usePanel.getState();
  try {
    await invoke('watchLog', { on: true });
    if (generation !== watchGeneration) return;
    await loadHistory((before) => invoke('logHistory', before === undefined ? {} : { before }));
  } catch {
    // No host yet, or the bridge dropped: the watch begins again when the bridge opens. Without the history the log
    // still shows every frame from now on.
  }
}

/** Watches the message log while the returned function is not called (a view's effect). */
export function watchLog(): () => void {
  if (++watchers === 1) void beginWatch();
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    if (--watchers > 0) return;
    watchGeneration++;
    usePanel.getState().invoke('watchLog', { on: false }).catch(() => {
      // The bridge is gone: a new socket starts without live frames anyway.
    });
  };
}

// A new bridge socket (the host restarted, the page's connection dropped) starts without live frames: watch again.
let wasOpen = false;
usePanel.subscribe((s, before) => {
  if (s.transport === before.transport) return;
  const open = s.transport?.state === 'open';
  if (open && wasOpen === false && before.transport !== null && watchers > 0) void beginWatch();
  wasOpen = open;
});

// ---- filtering ----

export interface LogFilter {
  /** Types not shown. */
  hidden: ReadonlySet<string>;
  /** Matched case-insensitively against Target, Source, Name, Method and the Message. */
  query: string;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A predicate for the filter, or null when it lets everything through. */
export function matcher(filter: LogFilter): ((row: LogRow) => boolean) | null {
  const query = filter.query.trim().toLowerCase();
  if (filter.hidden.size === 0 && query === '') return null;
  const body = query ? new RegExp(escapeRegExp(query), 'i') : null;
  return (row) => !filter.hidden.has(row.type) && (!body || row.key.includes(query) || body.test(row.entry.body));
}

/**
 * Filters incrementally: while the filter stays the same, only rows that arrived since the last call are tested, and
 * rows that fell off the front are dropped from the result. Returns a new array whenever the result changed.
 */
export function createFilterCache() {
  let lastFilter: LogFilter | null = null;
  let lastTestedId = 0;
  let lastFirst = Infinity;
  let result: readonly LogRow[] = [];
  return (all: readonly LogRow[], filter: LogFilter): readonly LogRow[] => {
    const test = matcher(filter);
    if (!test) {
      lastFilter = filter;
      lastTestedId = all.at(-1)?.id ?? 0;
      result = all;
      return all;
    }
    const first = all[0]?.id ?? Infinity;
    // Rows put in front (the engine's history, loaded after the live ones began) are tested with all the rest.
    if (filter !== lastFilter || result === all || first < lastFirst) {
      result = all.filter(test);
    } else {
      // New rows are at the end; find where they start.
      let start = all.length;
      while (start > 0 && (all[start - 1] as LogRow).id > lastTestedId) start--;
      let kept = 0;
      while (kept < result.length && (result[kept] as LogRow).id < first) kept++;
      const added = all.slice(start).filter(test);
      if (kept > 0 || added.length > 0) result = (kept > 0 ? result.slice(kept) : result).concat(added);
    }
    lastFilter = filter;
    lastTestedId = all.at(-1)?.id ?? 0;
    lastFirst = first;
    return result;
  };
}

// ---- grouping ----

export interface LogGroup {
  key: string;
  target: string;
  what: string;
  count: number;
  bytes: number;
  last: number;
  /** The newest row of the group. */
  latest: LogRow;
}

/** Groups by Target and Name (or Method), busiest first. */
export function groupRows(list: readonly LogRow[]): LogGroup[] {
  const groups = new Map<string, LogGroup>();
  for (const row of list) {
    const key = `${row.target}\u0000${row.what}`;
    const group = groups.get(key);
    if (group) {
      group.count++;
      group.bytes += row.entry.size;
      group.last = row.entry.time;
      group.latest = row;
    } else {
      groups.set(key, { key, target: row.target, what: row.what, count: 1, bytes: row.entry.size, last: row.entry.time, latest: row });
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.target.localeCompare(b.target) || a.what.localeCompare(b.what));
}

/** The Message as indented JSON when it parses; as received otherwise (e.g. cut at the body limit). */
export function prettyBody(entry: LogEntry): string {
  if (entry.truncated) return entry.body;
  try {
    return JSON.stringify(JSON.parse(entry.body), null, 2);
  } catch {
    return entry.body;
  }
}

/** "512 B", "3.4 kB", "1.2 MB". */
export function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
