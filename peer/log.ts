/** The logger every hub peer writes to: pino's call shape, so a pino logger fits as it is; the peer does not depend on pino. */

/** One log call: `log(obj, msg)` or `log(msg)`. */
export type LogFn = (objOrMessage: object | string, message?: string) => void;

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

const noop: LogFn = () => {};
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
