/** The panel engine (Electron-free): what the Electron and browser hosts use. */
export { createPanelEngine, defaultPanelName, type PanelEngine, type PanelEngineOptions } from './engine.ts';
export { dispatchCommand, toApiError } from './dispatch.ts';
export { EngineError, DEFAULT_HUB_URL, HUB_NAME, silentLogger, type EngineErrorCode, type Logger, type LogFn } from './types.ts';
export type { TransportFactory } from '../../peer/index.ts';
