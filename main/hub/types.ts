/** Small shared pieces of the panel engine: its logger interface, its error type and its constants. */

export { silentLogger, type Logger, type LogFn } from '../../peer/log.ts';

/**
 * Codes the engine itself produces; a Call's Failure keeps the service's own code (REPOSITORY_ALREADY_EXISTS, …).
 * - NOT_CONNECTED: no hub connection when the command was given.
 * - DISCONNECTED: the hub connection ended while waiting for the answer (no answer can come on a dead connection).
 * - TIMEOUT: no answer within requestTimeoutMs.
 * - SET_REFUSED: the service's next Update of that state did not show the value (its Warning Log text is included).
 * - INVALID_VALUE: the value read does not match the state's schema.
 * - ENGINE_CLOSED: the engine was closed.
 * - NOT_OFFERED: the service does not offer that method (discovery.ts); nothing was sent.
 * - INTERNAL: a bug; the message says what failed.
 */
export type EngineErrorCode = 'NOT_CONNECTED' | 'DISCONNECTED' | 'TIMEOUT' | 'SET_REFUSED' | 'INVALID_VALUE' | 'ENGINE_CLOSED' | 'NOT_OFFERED' | 'INTERNAL';

/** An error with an ApiError shape (shared/panel/api.ts): `code` and `message`. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode | (string & {}),
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/** The hub's service name (it answers Identify and `Get Stats` under it). */
export const HUB_NAME = 'DataHub';
/** The reference hub's default address (docs/PROTOCOL.md §3.1). */
export const DEFAULT_HUB_URL = 'ws://127.0.0.1:16209';
