/** Structured logs for the reference services: one JSON line per event on stdout (pino). */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, level: string = process.env.ASSETHUB_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: name }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that drops everything: for tests and benchmarks that run services in-process. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
