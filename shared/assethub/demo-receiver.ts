/**
 * The demo webhook receiver's failure rule (services/receiver): what its admin API takes and answers
 * (`GET`/`PUT /admin/rule`, null for none), and the rule the demo starts it with. Here, not in services/, because the
 * panel engine reads and sets it too and validates the receiver's answers with these schemas.
 */
import { z } from 'zod';

export const FAILURE_MODES = ['status500', 'timeout', 'dropItem', 'malformed'] as const;
export type FailureMode = (typeof FAILURE_MODES)[number];

/**
 * When and how the receiver fails on purpose.
 * - An action *matches* when `failUris` is absent or its asset's uri matches it: a substring, or a regular expression
 *   written `/…/flags`.
 * - A request is *hit* when at least one of its actions matches and a random draw is below `rate` (default 1): one
 *   draw per request. `mode` (one mode, or a list to pick from at random per hit request) then says what happens:
 *   `status500` answers 500 and applies nothing; `timeout` applies the actions but never answers; `malformed` answers
 *   200 with a body that is not JSON and applies nothing; `dropItem` applies and answers every action except the
 *   matching ones (with `failUris`), or a random half of them (at least one) without it, which it neither applies nor
 *   answers.
 */
export const FailureRule = z.object({
  mode: z.union([z.enum(FAILURE_MODES), z.array(z.enum(FAILURE_MODES)).min(1)]),
  failUris: z.string().min(1).optional(),
  rate: z.number().min(0).max(1).optional(),
}).strict();
export type TFailureRule = z.infer<typeof FailureRule>;

/** What `GET /admin/rule` and `PUT /admin/rule` answer: the rule now in force, null when there is none (healed). */
export const ReceiverRuleAnswer = FailureRule.nullable();

/** The demo receiver's rule: it leaves T_Sky.png out of its answers, so the demo's Failed list is not empty. */
export const DEMO_RECEIVER_RULE = { mode: 'dropItem', failUris: 'T_Sky.png' } as const satisfies TFailureRule;
