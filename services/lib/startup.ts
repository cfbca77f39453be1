/**
 * Why a service cannot start when the reason is the operator's to fix (its data folder in use, a port taken, a token
 * missing beyond loopback): said in one line, exit code 2, rather than as a stack trace (`startFailed` in each main).
 */
export class StartupError extends Error {}

/** For a main's start: a StartupError, or a port in use or not allowed, is one line and exit 2; anything else (a bug) is thrown on. */
export function startFailed(error: unknown): never {
  const code = (error as { code?: unknown } | null)?.code;
  if (error instanceof StartupError || code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  throw error;
}
