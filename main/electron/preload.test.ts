// The preload's panel API: what it exposes (only invoke and on), how a command travels and fails, and that events are
// filtered by name and validated before a listener sees them.
import { afterEach, describe, expect, it, vi } from 'vitest';

const bridge = vi.hoisted(() => ({
  exposed: [] as Array<[string, unknown]>,
  listeners: new Map<string, Set<(...args: unknown[]) => void>>(),
  invoke: async (_channel: string, _request: unknown): Promise<unknown> => undefined,
}));

vi.mock('electron', () => {
  const ipcRenderer = {
    invoke: (channel: string, request: unknown) => bridge.invoke(channel, request),
    on(channel: string, listener: (...args: unknown[]) => void) {
      if (!bridge.listeners.has(channel)) bridge.listeners.set(channel, new Set());
      bridge.listeners.get(channel)?.add(listener);
      return ipcRenderer;
    },
    removeListener(channel: string, listener: (...args: unknown[]) => void) {
      bridge.listeners.get(channel)?.delete(listener);
      return ipcRenderer;
    },
  };
  const contextBridge = { exposeInMainWorld: (key: string, api: unknown) => bridge.exposed.push([key, api]) };
  return { contextBridge, ipcRenderer, default: { contextBridge, ipcRenderer } };
});

type Api = { invoke(command: string, args: unknown): Promise<unknown>; on(event: string, listener: (data: unknown) => void): () => void };

/** Loads the preload as Electron would (process.type 'renderer'), returning what it exposed. */
async function loadPreload(): Promise<Api> {
  vi.resetModules();
  bridge.exposed.length = 0;
  bridge.listeners.clear();
  const proc = process as { type?: string };
  proc.type = 'renderer';
  try {
    await import('./preload.ts');
  } finally {
    delete proc.type;
  }
  expect(bridge.exposed).toHaveLength(1);
  const [key, api] = bridge.exposed[0] as [string, Api];
  expect(key).toBe('assetHubPanel');
  return api;
}

const emit = (message: unknown) => {
  for (const l of bridge.listeners.get('panel:event') ?? []) l({ sender: null }, message);
};

const status = { state: 'connected', hubUrl: 'ws://127.0.0.1:16209', panelName: 'P', since: 1 };

afterEach(() => {
  bridge.invoke = async () => undefined;
});

describe('preload', () => {
  it('exposes only invoke and on (no ipcRenderer, no Node), frozen', async () => {
    const api = await loadPreload();
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    expect(Object.isFrozen(api)).toBe(true);
    expect(typeof api.invoke).toBe('function');
  });

  it('sends { id, command, args } on panel:invoke and returns the result', async () => {
    const api = await loadPreload();
    const sent: unknown[] = [];
    bridge.invoke = async (channel, request) => {
      sent.push([channel, request]);
      return { id: (request as { id: number }).id, ok: true, result: { paused: false, capacity: 100 } };
    };
    expect(await api.invoke('logControl', { paused: false })).toEqual({ paused: false, capacity: 100 });
    await api.invoke('hello', undefined);
    expect(sent).toEqual([
      ['panel:invoke', { id: 1, command: 'logControl', args: { paused: false } }],
      ['panel:invoke', { id: 2, command: 'hello', args: {} }],
    ]);
  });

  it('rejects with an Error carrying the code (also in the message, which is all contextBridge keeps)', async () => {
    const api = await loadPreload();
    bridge.invoke = async (_channel, request) => ({ id: (request as { id: number }).id, ok: false, error: { code: 'REPOSITORY_ALREADY_EXISTS', message: 'Project.Alpha exists' } });
    const error = (await api.invoke('call', { service: 'AssetHubServer', method: 'CreateRepository', params: {} }).catch((e: unknown) => e)) as Error & { code?: string };
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('REPOSITORY_ALREADY_EXISTS');
    expect(error.message).toBe('REPOSITORY_ALREADY_EXISTS: Project.Alpha exists');
    bridge.invoke = async () => 'garbage';
    await expect(api.invoke('hello', {})).rejects.toMatchObject({ code: 'INVALID_RESPONSE' });
  });

  it('delivers only the named, valid events, and unsubscribes', async () => {
    const api = await loadPreload();
    const seen: unknown[] = [];
    const off = api.on('connection', (data) => seen.push(data));
    emit({ event: 'connection', data: status });
    emit({ event: 'patches', data: { seq: 1, patches: [] } });
    emit({ event: 'connection', data: { state: 'exploded' } });
    emit('not a message');
    emit({ event: 'connection' });
    expect(seen).toEqual([status]);
    off();
    off();
    emit({ event: 'connection', data: status });
    expect(seen).toHaveLength(1);
    expect(bridge.listeners.get('panel:event')?.size ?? 0).toBe(0);
  });

  it('refuses unknown event names', async () => {
    const api = await loadPreload();
    expect(() => api.on('__proto__', () => {})).toThrow(/UNKNOWN_EVENT/);
    expect(() => api.on('anything', () => {})).toThrow(/no event/);
  });
});
