/** Checks of option values shared by the services' entry points (parsing: command-line.ts), with clear errors. */

/** The hub a service joins when none is given: the Data Hub's default address. */
export const DEFAULT_HUB = 'ws://127.0.0.1:16209';

/** The options of every service that joins a hub on its own (spread into its option table). */
export const JOIN_HUB_OPTIONS = {
  hub: { type: 'string', default: DEFAULT_HUB, value: '<ws url>', help: 'the hub to join' },
  token: { type: 'string', value: '<token>', defaultText: 'ASSETHUB_TOKEN, else none', help: "the hub's token" },
} as const;

export function portOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--${name} must be a TCP port number (0-65535), got "${value}"`);
    process.exit(2);
  }
  return port;
}

/** A positive number of minutes, in milliseconds; undefined when the option is not given. */
export function minutesOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const minutes = Number(value);
  if (!Number.isFinite(minutes) || minutes <= 0) {
    console.error(`--${name} must be a positive number of minutes, got "${value}"`);
    process.exit(2);
  }
  return minutes * 60_000;
}

/** Runs `stop` once on SIGINT/SIGTERM, then exits. */
export function onShutdown(stop: () => Promise<void>, logger: { info(msg: string): void }): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info(`${signal}: stopping`);
      stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}
