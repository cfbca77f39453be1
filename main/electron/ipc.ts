/**
 * The panel API over Electron IPC. One invoke channel (renderer → engine) and one event channel (engine → renderer).
 * Every invoke is checked twice before it reaches the engine: the sender (isTrustedSender) and the shape
 * (CommandRequest, then parseCommand for the command's own arguments).
 */
import type { IpcMain } from 'electron';
import { CommandRequest, EVENTS, parseCommand, type CommandResponse, type EventName } from '../../shared/panel/api.ts';
import type { PanelEngine } from '../hub/index.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './channels.ts';
import { isTrustedSender } from './security.ts';

export { EVENT_CHANNEL, INVOKE_CHANNEL };

export type Dispatch = (engine: PanelEngine, id: number, command: string, args: unknown) => Promise<CommandResponse>;

export interface InvokeHandlerOptions {
  /** The engine; a promise while it is still being set up (embedded services starting). */
  engine: () => PanelEngine | Promise<PanelEngine>;
  /** The main window's webContents id, or null when there is no window. */
  windowContentsId: () => number | null;
  dispatch: Dispatch;
  /** Called with each answer (the app saves a new hub URL and token after `connect`, keeps the page's `watchLog`). */
  onAnswer?: (command: string, args: unknown, response: CommandResponse) => void;
  warn?: (message: string) => void;
}

/** Thrown (so the renderer's invoke rejects) for a message from anywhere but the panel's own window. */
export class UntrustedSenderError extends Error {
  readonly code = 'UNTRUSTED_SENDER';
  constructor() {
    super('panel:invoke refused: the message did not come from the panel window');
  }
}

/** The subset of IpcMainInvokeEvent the check reads (IpcMainInvokeEvent is one). */
export interface InvokeEvent {
  sender: { id: number };
  senderFrame: { url: string } | null;
}

export function createInvokeHandler(options: InvokeHandlerOptions): (event: InvokeEvent, request: unknown) => Promise<CommandResponse> {
  const warn = options.warn ?? (() => {});
  return async (event, request) => {
    // senderFrame is null when the frame navigated or was destroyed since it sent the message.
    const frameUrl = event.senderFrame?.url ?? null;
    if (!isTrustedSender(frameUrl, event.sender.id, options.windowContentsId())) {
      warn(`refused panel:invoke from webContents ${event.sender.id} (${frameUrl ?? 'no frame'})`);
      throw new UntrustedSenderError();
    }
    const parsed = CommandRequest.safeParse(request);
    if (!parsed.success) {
      const id = typeof (request as { id?: unknown } | null)?.id === 'number' ? (request as { id: number }).id : -1;
      return { id: Number.isInteger(id) ? id : -1, ok: false, error: { code: 'INVALID_REQUEST', message: 'a panel request is { id, command, args }' } };
    }
    const { id, command, args } = parsed.data;
    const checked = parseCommand(command, args);
    if (!checked.ok) return { id, ok: false, error: checked.error };
    let engine: PanelEngine;
    try {
      engine = await options.engine();
    } catch (error) {
      return { id, ok: false, error: { code: 'ENGINE_UNAVAILABLE', message: error instanceof Error ? error.message : String(error) } };
    }
    const response = await options.dispatch(engine, id, checked.command, checked.args);
    options.onAnswer?.(checked.command, checked.args, response);
    return response;
  };
}

/** Registers the invoke handler; returns a function that removes it. */
export function registerPanelIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, options: InvokeHandlerOptions): () => void {
  ipcMain.handle(INVOKE_CHANNEL, createInvokeHandler(options));
  return () => ipcMain.removeHandler(INVOKE_CHANNEL);
}

/** What the forwarding needs of a webContents. */
export interface EventSink {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/**
 * Forwards engine events to the renderer as `panel:event` {event, data}: every one, except `log` events while the page
 * does not watch the log (`logWatched`, set from its `watchLog` answers). Returns the unsubscribe.
 */
export function forwardEngineEvents(engine: Pick<PanelEngine, 'on'>, target: () => EventSink | null, logWatched: () => boolean): () => void {
  const names = Object.keys(EVENTS) as EventName[];
  const unsubscribes = names.map((event) =>
    engine.on(event, (data: unknown) => {
      if (event === 'log' && !logWatched()) return;
      const contents = target();
      if (contents && !contents.isDestroyed()) contents.send(EVENT_CHANNEL, { event, data });
    }),
  );
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
