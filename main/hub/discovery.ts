/**
 * Capability discovery: what each server and client offers (shared/assethub/capabilities.ts). A service is asked
 * `GetCapabilities` once per start of the service: when it is first heard, after its Startup, and when its Self names
 * another start time (a restart whose Startup the panel missed); never per command. A service that does not answer
 * within the Call timeout, or fails the Call, offers Pixotope's documented protocol only, as a real Pixotope service
 * does. The panel never sends a Call a service does not offer: `refusal` says why instead (and waits for a discovery
 * under way, so a click during the first seconds is not sent into silence).
 */
import { CAPABILITIES_METHOD, DOCUMENTED_OFFER, GetCapabilitiesResult } from '../../shared/assethub/capabilities.ts';
import { stateNamesOf } from '../../shared/assethub/index.ts';
import type { ServiceOffer } from '../../shared/panel/api.ts';
import { offerVerdict } from '../../shared/panel/offer.ts';
import type { Kind } from './directory.ts';
import type { Logger } from './types.ts';

type OfferingKind = 'server' | 'client';
/** The least time between two discoveries a changed Self start time causes (a Startup always causes one). */
export const REDISCOVER_MIN_MS = 60_000;
const offering = (kind: Kind): kind is OfferingKind => kind === 'server' || kind === 'client';

/** Codes of a request that never reached a service: the next time it is heard, it is asked again. */
const UNREACHED = new Set(['DISCONNECTED', 'NOT_CONNECTED', 'ENGINE_CLOSED', 'CLOSED']);

export interface DiscoveryHooks {
  call(service: string, method: string): Promise<unknown>;
  entry(service: string): { kind: Kind; startedAt: string | null; offer: ServiceOffer | null } | undefined;
  setOffer(service: string, offer: ServiceOffer | null): void;
  /** Discovery ended with these states offered beyond the documented ones, among those the panel reads: read them. */
  onExtraStates(service: string, kind: Kind, states: string[]): void;
}

const documented = (kind: OfferingKind, source: ServiceOffer['source'], reason: string | null): ServiceOffer => ({
  source,
  methods: [...DOCUMENTED_OFFER[kind].methods],
  states: [...DOCUMENTED_OFFER[kind].states],
  reason,
});

export class Discovery {
  private readonly running = new Map<string, Promise<void>>();
  /** The start time (Self's StartedAt) each service's offer was discovered for; null: not known then. */
  private readonly discoveredFor = new Map<string, string | null>();
  /** When each service was last asked (ms since epoch). */
  private readonly askedAt = new Map<string, number>();

  constructor(
    private readonly hooks: DiscoveryHooks,
    private readonly logger: Logger,
  ) {}

  /** The service was heard after being offline or unknown: ask it unless its offer is known for this start. */
  online(service: string): void {
    const entry = this.hooks.entry(service);
    if (!entry || !offering(entry.kind)) return;
    if (entry.offer && entry.offer.source !== 'checking') return;
    this.discover(service, 'online');
  }

  /** The service announced a (re)start. */
  startup(service: string): void {
    this.discover(service, 'Startup');
  }

  /**
   * Its Self came: a start time other than the one its offer was discovered for means it restarted. At most once a
   * minute per service: a peer whose "start time" changes with every Self (an uptime, a clock) is not restarting.
   */
  self(service: string, now = Date.now()): void {
    const entry = this.hooks.entry(service);
    if (!entry?.offer || entry.offer.source === 'checking' || !this.discoveredFor.has(service)) return;
    const known = this.discoveredFor.get(service);
    if (known === null) this.discoveredFor.set(service, entry.startedAt);
    else if (known !== entry.startedAt && now - (this.askedAt.get(service) ?? -Infinity) >= REDISCOVER_MIN_MS) this.discover(service, 'a new start time');
  }

  forget(service: string): void {
    this.discoveredFor.delete(service);
    this.askedAt.delete(service);
  }

  /**
   * Why `method` must not be sent to `service`, or null when it may be. A service whose offer is unknown (offline,
   * never heard, not a server or client) is not judged: the Call goes and its answer, or its timeout, tells.
   */
  async refusal(service: string, method: string): Promise<string | null> {
    const running = this.running.get(service);
    if (running) await running;
    const verdict = offerVerdict(service, this.hooks.entry(service)?.offer, method);
    return verdict.state === 'not-offered' ? verdict.reason : null;
  }

  private discover(service: string, why: string): void {
    const entry = this.hooks.entry(service);
    if (!entry || !offering(entry.kind) || this.running.has(service)) return;
    const kind = entry.kind;
    // A service asked again keeps showing what it offered until it answers (no flicker); a Call waits for the answer.
    if (!entry.offer) this.hooks.setOffer(service, documented(kind, 'checking', null));
    this.askedAt.set(service, Date.now());
    this.logger.debug({ service, why }, 'asking what it offers');
    const run = this.hooks.call(service, CAPABILITIES_METHOD).then(
      (result) => this.settle(service, kind, this.fromResult(service, kind, result)),
      (error: unknown) => {
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string' && UNREACHED.has(code)) return this.hooks.setOffer(service, null);
        const message = error instanceof Error ? error.message : String(error);
        const reason = code === 'TIMEOUT' ? `no answer to ${CAPABILITIES_METHOD}` : `${CAPABILITIES_METHOD} failed: ${message}`;
        this.settle(service, kind, documented(kind, 'documented', reason));
      },
    ).finally(() => this.running.delete(service));
    this.running.set(service, run);
  }

  private fromResult(service: string, kind: OfferingKind, result: unknown): ServiceOffer {
    const parsed = GetCapabilitiesResult.safeParse(result);
    if (!parsed.success) {
      this.logger.warn({ service }, `${CAPABILITIES_METHOD} answered something unreadable: taken as documented-only`);
      return documented(kind, 'documented', `its answer to ${CAPABILITIES_METHOD} could not be read`);
    }
    return { source: 'discovered', methods: parsed.data.Methods.map((m) => m.Name), states: parsed.data.States.map((s) => s.Name), reason: null };
  }

  private settle(service: string, kind: OfferingKind, offer: ServiceOffer): void {
    const entry = this.hooks.entry(service);
    if (!entry) return;
    this.discoveredFor.set(service, entry.startedAt);
    this.hooks.setOffer(service, offer);
    this.logger.info({ service, source: offer.source, methods: offer.methods.length, reason: offer.reason }, 'what it offers');
    const documentedStates: readonly string[] = DOCUMENTED_OFFER[kind].states;
    // Only states the panel reads: a service listing a thousand names must not get a thousand Gets.
    const known: readonly string[] = stateNamesOf(kind);
    const extra = offer.states.filter((s) => known.includes(s) && !documentedStates.includes(s));
    if (extra.length > 0) this.hooks.onExtraStates(service, kind, extra);
  }
}
