/**
 * A show on one hub (500 machines of 5 workspaces): an Update to one client must not rebuild every row nor reorder the
 * machines on a progress tick; the filters and the bulk AutoPull's tallies. Figures (time per Update) go to the console.
 */
import { describe, expect, it } from 'vitest';
import { NO_HOST_INFO, type ServiceEntry, type Snapshot } from '../../../../shared/panel/api.ts';
import { applyPatches, fromSnapshot, type PanelData } from '../../store/panel.ts';
import { clientSummary, machineRows, orderMachines, stateWord } from '../../lib/machine-state.ts';
import { clientEntries, machineMatcher, machineOf } from '../../lib/selectors.ts';
import { clientRows, workspaceRows } from './model.ts';
import { BULK_IN_FLIGHT, inPool, outcomeOf, progressWords, sortOutcomes, tally } from './bulk-model.ts';

const clientName = (i: number): string => `STAGE-${String(i).padStart(3, '0')}-AssetHubClient`;

const status = (over: Record<string, unknown> = {}) => ({
  Incoming: false, Outcoming: false, Activity: 'Idle', Stage: 'Initiating', Current: 0, Total: 0, Progress: 0, ...over,
});

function clientStates(i: number, perMachine: number, over: { status?: Record<string, unknown>; conflicts?: boolean } = {}) {
  const names = Array.from({ length: perMachine }, (_, w) => `C:\\Show\\W${w}`);
  const map = <T>(f: (name: string, w: number) => T) => Object.fromEntries(names.map((n, w) => [n, f(n, w)]));
  return {
    State: { Workspaces: map(() => ({ AutoPull: i % 2 === 0 })) },
    PersistentState: { Workspaces: map((n, w) => ({ Name: n, DisplayPath: `%SYNCED_STORAGE%\\W${w}`, Repository: `Repo${w}`, Branch: 'Main', Commit: null, Commits: [] })) },
    WorkspaceInfo: { Status: status(over.status), Engine: { Running: false }, Workspaces: map((n) => ({ Name: n, Active: true, Status: { ...status(), Attached: true, Auto: false, Message: '' } })) },
    AssetInfo: { Workspaces: map((n) => ({ Name: n, Scan: false, IgnoredURIs: [], LocalChanges: [], RemoteChanges: [], ConflictURIs: over.conflicts ? ['FileSystem:/a'] : [], Claims: [] })) },
  };
}

const entry = (name: string, kind: ServiceEntry['kind'], online = true): ServiceEntry => ({
  name, kind, machine: null, online, lastSeen: 1, version: '1', startedAt: null, error: null, offer: null,
});

function show(machines: number, perMachine = 5): PanelData {
  const services = [entry('AssetHubServer', 'server'), ...Array.from({ length: machines }, (_, i) => entry(clientName(i), 'client'))];
  const states: Snapshot['states'] = { AssetHubServer: { State: { Repositories: {} }, PersistentState: { Repositories: {} } } };
  for (let i = 0; i < machines; i++) states[clientName(i)] = clientStates(i, perMachine);
  return fromSnapshot({ connection: { state: 'connected', hubUrl: 'ws://127.0.0.1:1', panelName: 'P', since: 1 }, host: NO_HOST_INFO, services, states, operations: [], seq: 1 });
}

/** One client's WorkspaceInfo Update, as a patch batch. */
const update = (data: PanelData, service: string, value: unknown): PanelData =>
  applyPatches(data, { seq: data.seq + 1, patches: [{ type: 'state', service, state: 'WorkspaceInfo', value }] });

const order = (data: PanelData) => orderMachines(machineRows(data, clientEntries(data), machineOf), null).services;

describe('an Update to one of 500 clients', () => {
  it('replaces that client\'s states object alone and keeps the services map (what is derived from it is kept)', () => {
    const before = show(500);
    const after = update(before, clientName(7), clientStates(7, 5, { status: { Activity: 'Sync', Progress: 0.5 } }).WorkspaceInfo);
    expect(after.states[clientName(7)]).not.toBe(before.states[clientName(7)]);
    for (let i = 0; i < 500; i++) if (i !== 7) expect(after.states[clientName(i)]).toBe(before.states[clientName(i)]);
    expect(after.services).toBe(before.services);
    expect(clientEntries(after)).toBe(clientEntries(before));
  });

  it('rebuilds that client\'s rows only: every other client\'s rows are the same array (their React rows bail out)', () => {
    let data = show(500);
    const first = clientEntries(data).map((e) => clientRows(data, e));
    expect(first.flat()).toHaveLength(2500);
    const ticks = 200;
    const values = Array.from({ length: ticks }, (_, tick) => clientStates(tick % 10, 5, { status: { Activity: 'Sync', Progress: tick / ticks } }).WorkspaceInfo);
    let patchMs = 0;
    let rowsMs = 0;
    let orderMs = 0;
    for (let tick = 0; tick < ticks; tick++) {
      const t0 = performance.now();
      data = update(data, clientName(tick % 10), values[tick]);
      const t1 = performance.now();
      workspaceRows(data, []);
      const t2 = performance.now();
      order(data);
      patchMs += t1 - t0;
      rowsMs += t2 - t1;
      orderMs += performance.now() - t2;
    }
    const again = clientEntries(data).map((e) => clientRows(data, e));
    const rebuilt = again.filter((rows, i) => rows !== first[i]).length;
    expect(rebuilt).toBe(10);
    console.log(`show-scale: 500 clients, 2,500 rows, per Update: store patch ${(patchMs / ticks).toFixed(3)} ms, every row (cached) ${(rowsMs / ticks).toFixed(3)} ms, states, counts and attention order of 500 machines ${(orderMs / ticks).toFixed(3)} ms; ${rebuilt} clients' rows rebuilt after Updates to 10`);
  });

  it('a machine moving between Syncing n% and Out of sync keeps its place: ordered by the state\'s rank, then name', () => {
    let data = show(50);
    data = update(data, clientName(30), clientStates(30, 5, { status: { Activity: 'Sync', Progress: 0.1 } }).WorkspaceInfo);
    data = update(data, clientName(20), clientStates(20, 5, { status: { Incoming: true } }).WorkspaceInfo);
    const busy = order(data);
    expect(busy.slice(0, 2)).toEqual([clientName(20), clientName(30)]);
    data = update(data, clientName(30), clientStates(30, 5, { status: { Activity: 'Sync', Progress: 0.9 } }).WorkspaceInfo);
    data = update(data, clientName(20), clientStates(20, 5, { status: { Activity: 'Sync', Progress: 0.2 } }).WorkspaceInfo);
    expect(order(data)).toEqual(busy);
    data = update(data, clientName(30), clientStates(30, 5, { status: { Incoming: true } }).WorkspaceInfo);
    expect(order(data)).toEqual(busy);
  });

  it('puts Offline, then Conflicts, then busy, then Up to date, then unknown first; counts each state', () => {
    let data = show(10);
    data = applyPatches(data, {
      seq: data.seq + 1,
      patches: [
        { type: 'service', entry: { ...data.services[clientName(9)]!, online: false } },
        { type: 'state', service: clientName(8), state: 'AssetInfo', value: clientStates(8, 5, { conflicts: true }).AssetInfo },
        { type: 'state', service: clientName(7), state: 'WorkspaceInfo', value: clientStates(7, 5, { status: { Activity: 'Sync', Progress: 0.3 } }).WorkspaceInfo },
        { type: 'state', service: clientName(0), state: 'AssetInfo', value: undefined },
      ],
    });
    const rows = machineRows(data, clientEntries(data), machineOf);
    const { services, counts } = orderMachines(rows, null);
    expect(services.slice(0, 3)).toEqual([clientName(9), clientName(8), clientName(7)]);
    expect(services.at(-1)).toBe(clientName(0));
    expect(counts).toEqual({ Offline: 1, Conflicts: 1, Syncing: 1, 'Out of sync': 0, 'Up to date': 6, '—': 1 });
    expect(orderMachines(rows, 'Syncing').services).toEqual([clientName(7)]);
    expect(stateWord({ text: 'Syncing 42%', tone: 'busy' })).toBe('Syncing');
  });

  it('gives the same row objects for machines whose states did not change; a changed machine gets its new state', () => {
    const data = show(500);
    const rows = machineRows(data, clientEntries(data), machineOf);
    const after = update(data, clientName(7), clientStates(7, 5, { status: { Activity: 'Sync', Progress: 0.5 } }).WorkspaceInfo);
    const again = machineRows(after, clientEntries(after), machineOf);
    expect(again.filter((row, i) => row !== rows[i]).map((r) => r.service)).toEqual([clientName(7)]);
    expect(again[7]).toEqual({ service: clientName(7), name: machineOf(clientName(7)), state: 'Syncing' });
    // The online flag, and the name function, are part of what a row is made from.
    const offline = applyPatches(after, { seq: after.seq + 1, patches: [{ type: 'service', entry: { ...after.services[clientName(3)]!, online: false } }] });
    expect(machineRows(offline, clientEntries(offline), machineOf)[3]?.state).toBe('Offline');
    expect(machineRows(offline, clientEntries(offline), (s) => s.toLowerCase())[4]?.name).toBe(clientName(4).toLowerCase());
  });

  it('reads a client\'s summary once per version of its states', () => {
    const data = show(2);
    const states = data.states[clientName(1)];
    expect(clientSummary(true, states)).toBe(clientSummary(true, states));
    expect(clientSummary(false, states).text).toBe('Offline');
  });
});

describe('the machine filter', () => {
  const all = ['STAGE-A', 'STAGE-AB', 'Render-01', 'render-02'];
  it('shows a machine named exactly alone, else every machine containing the text, in any case', () => {
    const shown = (q: string[]) => all.filter(machineMatcher(all, q));
    expect(shown([])).toEqual(all);
    expect(shown(['STAGE-A'])).toEqual(['STAGE-A']);
    expect(shown(['stage-a'])).toEqual(['STAGE-A']);
    expect(shown(['stage'])).toEqual(['STAGE-A', 'STAGE-AB']);
    expect(shown(['RENDER'])).toEqual(['Render-01', 'render-02']);
    expect(shown(['nothing'])).toEqual([]);
  });
});

describe('a bulk AutoPull\'s outcomes', () => {
  it('says confirmed, refused with the code, or not answering (TIMEOUT); failures first; tallies', () => {
    const base = (m: string) => ({ key: m, machine: m, workspace: 'W' });
    const outcomes = [
      outcomeOf(base('A'), null),
      outcomeOf(base('B'), { code: 'TIMEOUT', message: 'no confirmation within 60 s' }),
      { ...base('C'), state: 'pending' as const },
      outcomeOf(base('D'), { code: 'SET_REFUSED', message: 'no such workspace' }),
    ];
    expect(sortOutcomes(outcomes).map((o) => [o.machine, o.state])).toEqual([['D', 'refused'], ['B', 'silent'], ['C', 'pending'], ['A', 'confirmed']]);
    const t = tally(outcomes);
    expect(t).toEqual({ total: 4, confirmed: 1, refused: 1, silent: 1, pending: 1 });
    expect(progressWords(t)).toBe('1 of 4 confirmed… (1 refused, 1 not answering)');
    expect(progressWords(tally(outcomes.filter((o) => o.state !== 'pending')))).toBe('1 of 3 confirmed; 1 refused, 1 not answering');
  });
});

describe('a bulk AutoPull of 500 Sets', () => {
  it('keeps at most BULK_IN_FLIGHT in flight (the bridge refuses a socket more than 256 as BUSY), and sends every one', async () => {
    let inFlight = 0;
    let most = 0;
    const sent: number[] = [];
    await inPool(Array.from({ length: 500 }, (_, i) => i), BULK_IN_FLIGHT, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      sent.push(i);
      await new Promise((resolve) => setTimeout(resolve, i % 7));
      inFlight--;
    });
    expect(most).toBe(BULK_IN_FLIGHT);
    expect(BULK_IN_FLIGHT).toBeLessThan(256);
    expect(sent).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});
