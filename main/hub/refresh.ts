/**
 * Re-reading: every state of a service is read again with Get when the service comes online (first heard, or heard
 * again after being offline, which includes every service after the panel reconnects: the panel's Identify goes out
 * on connect and each live service answers) and when it sends Startup. Services that are gone are not asked, so a
 * reconnect costs no timeouts. The answers land in the state cache like any Update; a Get already in flight is shared.
 */
import { stateNamesOf } from '../../shared/assethub/index.ts';
import type { Kind } from './directory.ts';
import type { Logger } from './types.ts';

/** What is read of each kind of service: the four states of servers and clients (and a server's Integrations), the hub's Stats. */
export function statesOf(kind: Kind): readonly string[] {
  if (kind === 'server' || kind === 'client') return stateNamesOf(kind);
  if (kind === 'hub') return ['Stats'];
  return [];
}

export class Refresher {
  constructor(
    private readonly get: (service: string, path: string[]) => Promise<unknown>,
    private readonly logger: Logger,
    /** Whether the service offers a state (discovery.ts): a state it does not offer is not asked for. */
    private readonly offers: (service: string, state: string) => boolean = () => true,
  ) {}

  /** Reads every state of `service` it offers again (or those given); failures are logged (the cache keeps what it had). */
  refresh(service: string, kind: Kind, why: string, only?: readonly string[]): void {
    const states = (only ?? statesOf(kind)).filter((state) => this.offers(service, state));
    if (states.length === 0) return;
    this.logger.debug({ service, why }, 're-reading states');
    for (const state of states) {
      this.get(service, [state]).catch((error: unknown) => {
        const code = (error as { code?: string }).code;
        // A lost connection fails every request at once; the reconnect reads again.
        if (code === 'DISCONNECTED' || code === 'ENGINE_CLOSED' || code === 'NOT_CONNECTED') return;
        this.logger.warn({ service, state, err: error instanceof Error ? error.message : String(error) }, 'could not read a state');
      });
    }
  }
}
