/**
 * What a reference service answers on the hub (docs/PROTOCOL-EXTENSIONS.md, "Documented-only mode"): everything it
 * has (`all`, the default), or only what Pixotope documents (`documented`, `npm run services -- --compat
 * pixotope-docs`), as a real Pixotope service would. In the documented mode:
 *  - a Call of a method outside DOCUMENTED_OFFER[kind].methods gets no CallResult at all (logged at debug level),
 *    unless its caller (RespondTo) is one of `internalPeers`: the run's own reference services, which speak this
 *    project's Calls between themselves as a real installation's client and server speak theirs;
 *  - a Get of a state outside DOCUMENTED_OFFER[kind].states is answered like a value the service does not have (an
 *    Update with Value null, no Warning Log); a Set or a named Reset of one is ignored (no reply, debug log); such a
 *    state is never broadcast.
 * Identify/Self and Startup are the hub peer's and unchanged.
 */
import { DOCUMENTED_OFFER } from '../../shared/assethub/capabilities.ts';
import type { ServiceKind } from '../../shared/assethub/states.ts';
import { decodeNamePath, type Topic } from '../../shared/protocol/index.ts';

export type Offer = 'documented' | 'all';

/** `--compat` values and the offer each makes. */
export const COMPAT_MODES = { 'pixotope-docs': 'documented' } as const satisfies Record<string, Offer>;
export type CompatMode = keyof typeof COMPAT_MODES;

export interface OfferOptions {
  /** What the service answers; default `all`. */
  offer?: Offer;
  /** With `documented`: callers whose Calls are answered in full (service names; exact match). */
  internalPeers?: readonly string[];
}

export class OfferPolicy {
  private readonly documented: { methods: ReadonlySet<string>; states: ReadonlySet<string> } | null;
  private readonly internal: ReadonlySet<string>;

  constructor(serviceName: string, kind: ServiceKind | null, options: OfferOptions) {
    this.internal = new Set(options.internalPeers ?? []);
    if ((options.offer ?? 'all') === 'all') {
      this.documented = null;
      return;
    }
    if (kind === null) throw new Error(`${serviceName} is no Asset Hub service: it has no documented offer`);
    this.documented = { methods: new Set(DOCUMENTED_OFFER[kind].methods), states: new Set(DOCUMENTED_OFFER[kind].states) };
  }

  get mode(): Offer {
    return this.documented ? 'documented' : 'all';
  }

  /** Whether a Call of `method` from `caller` is answered at all. */
  answersCall(method: string, caller: string): boolean {
    return !this.documented || this.documented.methods.has(method) || this.internal.has(caller);
  }

  /** Whether the state `name` (a Name's first segment) is answered, set, reset and broadcast. */
  offersState(name: string | undefined): boolean {
    return !this.documented || (name !== undefined && this.documented.states.has(name));
  }

  /**
   * Why a request addressed to the service goes unanswered and unapplied (for the debug log), or null when it is
   * handled as usual. A Get is always answered (see `offersState`). Needs only the topic: a request refused unread
   * (over its size limit) is ignored the same way.
   */
  ignores(topic: Topic): string | null {
    if (!this.documented) return null;
    if (topic.Type === 'Call' && !this.answersCall(topic.Method, topic.RespondTo)) return `Call ${topic.Method} from ${topic.RespondTo}: not a documented method`;
    if (topic.Type === 'Set' && !this.offersState(decodeNamePath(topic.Name)[0])) return `Set ${topic.Name}: not a documented state`;
    if (topic.Type === 'Reset' && topic.Name !== undefined && !this.offersState(decodeNamePath(topic.Name)[0])) return `Reset ${topic.Name}: not a documented state`;
    return null;
  }
}

