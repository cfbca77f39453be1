/**
 * The preload: exposes the narrow panel API (PanelHostApi) as `window.assetHubPanel`, and nothing else — no
 * ipcRenderer, no Node. It runs sandboxed, so it is bundled as one CommonJS file with zod inside (a sandboxed
 * preload can require only `electron` and a few built-ins).
 *
 * Errors: contextBridge copies only an Error's message into the page (electron/electron#25596), so a failed command
 * rejects with an Error whose message starts with the code — `CODE: message` — and which also carries `code`, for
 * the day the bridge keeps it.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CommandResponse, EventMessage, EVENTS, parseEvent, type EventName } from '../../shared/panel/api.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './channels.ts';

export class PanelApiError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(`${code}: ${message}`);
    this.name = 'PanelApiError';
    this.code = code;
  }
}

export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
}

/** The API object; a function of ipcRenderer so the tests can drive it without Electron. */
export function createPanelApi(ipc: IpcRendererLike) {
  let nextId = 1;
  return Object.freeze({
    async invoke(command: string, args: unknown): Promise<unknown> {
      if (typeof command !== 'string') throw new PanelApiError('INVALID_REQUEST', 'the command must be a string');
      const id = nextId++;
      const raw = await ipc.invoke(INVOKE_CHANNEL, { id, command, args: args ?? {} });
      const response = CommandResponse.safeParse(raw);
      if (!response.success) throw new PanelApiError('INVALID_RESPONSE', `the main process answered "${command}" with something unreadable`);
      if (response.data.ok) return response.data.result;
      throw new PanelApiError(response.data.error.code, response.data.error.message);
    },
    on(event: string, listener: (data: unknown) => void): () => void {
      if (!Object.prototype.hasOwnProperty.call(EVENTS, event)) throw new PanelApiError('UNKNOWN_EVENT', `no event "${String(event)}"`);
      if (typeof listener !== 'function') throw new PanelApiError('INVALID_REQUEST', 'the listener must be a function');
      const name = event as EventName;
      const handler = (_event: IpcRendererEvent, message: unknown): void => {
        const parsed = EventMessage.safeParse(message);
        if (!parsed.success || parsed.data.event !== name) return;
        const data = parseEvent(name, parsed.data.data);
        if (data !== null) listener(data);
      };
      ipc.on(EVENT_CHANNEL, handler as (event: IpcRendererEvent, ...args: unknown[]) => void);
      let subscribed = true;
      return () => {
        if (!subscribed) return;
        subscribed = false;
        ipc.removeListener(EVENT_CHANNEL, handler as (event: IpcRendererEvent, ...args: unknown[]) => void);
      };
    },
  });
}

// Only when loaded as the preload of a window (the tests import createPanelApi without Electron's process type).
if ((process as { type?: string }).type === 'renderer') {
  contextBridge.exposeInMainWorld('assetHubPanel', createPanelApi(ipcRenderer));
}
