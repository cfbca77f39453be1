/**
 * The engine's side of the embedded demo webhook receiver's admin API (services/receiver: `GET`/`PUT /admin/rule`):
 * reading its failure rule and healing it (no rule) or breaking it again (the demo's rule). The engine calls it, from
 * Node on loopback, only at the admin base its host learnt when it started the embedded services: the receiver answers
 * loopback only and refuses web pages, and the page never names a URL. Every answer is validated before it is used.
 */
import { z } from 'zod';
import { DEMO_RECEIVER_RULE, ReceiverRuleAnswer, type TFailureRule } from '../../shared/assethub/demo-receiver.ts';
import { EngineError } from './types.ts';

/** How long the receiver may take to answer (it is on this machine). */
export const RECEIVER_TIMEOUT_MS = 5000;
/** The most of an answer the engine reads (a rule is a few dozen bytes). */
const ANSWER_LIMIT = 64 * 1024;

/** What the receiver answers when it refuses (its admin endpoints' error shape). */
const ReceiverRefusal = z.object({ error: z.string() });

export type RuleChoice = 'none' | 'demo';

const ruleOf = (choice: RuleChoice): TFailureRule | null => (choice === 'none' ? null : DEMO_RECEIVER_RULE);
const same = (a: TFailureRule | null, b: TFailureRule | null): boolean => JSON.stringify(a) === JSON.stringify(b);
const describe = (error: unknown): string => {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return error instanceof Error ? `${error.name === 'TimeoutError' ? `no answer within ${RECEIVER_TIMEOUT_MS / 1000} s` : error.message}${cause}` : String(error);
};

/**
 * The receiver's rule (`set` absent), or sets it first (`none` heals, `demo` puts the demo's rule back) and answers the
 * rule the receiver says is now in force. Fails with RECEIVER_UNREACHABLE (no answer), RECEIVER_REFUSED (an HTTP
 * error, with the receiver's reason, or a rule other than the one set) or INVALID_RESULT (an answer that is no rule).
 */
export async function demoReceiverRule(adminBase: string, set?: RuleChoice, timeoutMs = RECEIVER_TIMEOUT_MS): Promise<{ rule: TFailureRule | null }> {
  const init: RequestInit = set === undefined
    ? { method: 'GET' }
    : { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(ruleOf(set)) };
  const [what, refused] = set === undefined ? ['read', 'answer its rule'] : set === 'none' ? ['heal', 'drop its rule'] : ['break', 'take the demo rule'];
  let status: number;
  let text: string;
  try {
    const res = await fetch(`${adminBase}/admin/rule`, { ...init, redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    status = res.status;
    text = await res.text();
  } catch (error) {
    throw new EngineError('RECEIVER_UNREACHABLE', `could not ${what} the demo receiver at ${adminBase}: ${describe(error)}`);
  }
  if (text.length > ANSWER_LIMIT) throw new EngineError('INVALID_RESULT', `the demo receiver answered ${text.length} characters: not a rule`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (status < 200 || status > 299) {
    const refusal = ReceiverRefusal.safeParse(body);
    throw new EngineError('RECEIVER_REFUSED', `the demo receiver refused to ${refused} (HTTP ${status}): ${refusal.success ? refusal.data.error : text.slice(0, 200) || 'no reason given'}`);
  }
  const rule = ReceiverRuleAnswer.safeParse(body);
  if (!rule.success) {
    throw new EngineError('INVALID_RESULT', `the demo receiver answered something that is not a rule: ${rule.error.issues.map((i) => `${i.path.join('.') || 'rule'}: ${i.message}`).join('; ')}`);
  }
  if (set !== undefined && !same(rule.data, ruleOf(set))) {
    throw new EngineError('RECEIVER_REFUSED', `the demo receiver did not take the rule: it answered ${JSON.stringify(rule.data)}`);
  }
  return { rule: rule.data };
}
