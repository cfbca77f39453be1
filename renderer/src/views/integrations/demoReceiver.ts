/**
 * The embedded demo webhook receiver as the Integrations view speaks of it: whether an integration posts to it, and
 * what its failure rule (services/receiver, read from the receiver through the engine) does, in the operator's words.
 */
import type { FailureMode, TFailureRule } from '../../../../shared/assethub/demo-receiver.ts';

/** Whether `endpoint` is the demo receiver at `receiverUrl`: the same origin (it takes POSTs at / and /webhook). */
export function isDemoReceiver(endpoint: string, receiverUrl: string): boolean {
  try {
    const a = new URL(endpoint);
    const b = new URL(receiverUrl);
    return a.protocol === 'http:' && a.origin === b.origin;
  } catch {
    return false;
  }
}

/** The assets a rule picks by its `failUris` (a substring, or `/regex/flags`), after `every` or `an`. */
function assetsOf(uris: string, determiner: 'every' | 'an'): string {
  const regex = uris.length > 1 && /^\/.*\/[a-z]*$/.test(uris);
  return `${determiner} asset whose URI ${regex ? `matches ${uris}` : `contains “${uris}”`}`;
}

function modeText(mode: FailureMode, uris: string | undefined): string {
  const requests = uris === undefined ? 'any request' : `a request that carries ${assetsOf(uris, 'an')}`;
  switch (mode) {
    case 'dropItem':
      return uris === undefined ? 'leaves a random half of the assets of every request out of its answer' : `leaves ${assetsOf(uris, 'every')} out of its answer`;
    case 'status500':
      return `answers HTTP 500 to ${requests}`;
    case 'timeout':
      return `never answers ${requests}, so the server times out`;
    case 'malformed':
      return `answers ${requests} with a body that is not JSON`;
  }
}

/** What the rule does, after `it` (`leaves every asset whose URI contains “T_Sky.png” out of its answer`); null: no rule. */
export function describeRule(rule: TFailureRule | null): string | null {
  if (rule === null) return null;
  const modes = [...new Set(Array.isArray(rule.mode) ? rule.mode : [rule.mode])];
  const what = modes.length === 1 ? modeText(modes[0] as FailureMode, rule.failUris) : `picks at random, per request: it ${modes.map((m) => modeText(m, rule.failUris)).join('; or it ')}`;
  const rate = rule.rate === undefined || rule.rate >= 1 ? '' : rule.rate <= 0 ? ' (at a rate of 0: in fact never)' : ` (${Math.round(rule.rate * 100)} % of the time)`;
  return `${what}${rate}`;
}
