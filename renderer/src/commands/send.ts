/**
 * How a command reaches a service through the panel engine: a Call, whose answer is checked against its method's
 * shared schema (any peer on the hub may answer; an answer the panel cannot read is an error that says where, never
 * half-shown data), a Set, which the engine resolves once the service's Update shows it, and the engine's own
 * commands. Every rejection becomes a CommandError that keeps the service's code.
 */
import type { z } from 'zod';
import { CALLS, type CallParams, type CallResultOf } from '../../../shared/assethub/calls.ts';
import type { CommandArgs, CommandName, CommandResult } from '../../../shared/panel/api.ts';
import { usePanel } from '../store/panel.ts';
import { CommandError, commandError } from './failure.ts';
import { verdictNow } from './offers.ts';

export type ServiceKind = keyof typeof CALLS;
export type Method<K extends ServiceKind> = keyof (typeof CALLS)[K] & string;

/** The params as sent: a field left undefined is left out (the hub carries JSON; IPC would keep the key). */
function defined(params: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
}

/** Where an answer first departs from its schema, e.g. `results.0.id: Invalid input`. */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(the answer)'}: ${issue.message}` : 'unexpected shape';
}

export async function call<K extends ServiceKind, M extends Method<K>>(kind: K, service: string, method: M, params: CallParams<K, M>): Promise<CallResultOf<K, M>> {
  const spec = (CALLS[kind] as Record<string, { result: z.ZodType }>)[method];
  if (!spec) throw new CommandError('UNKNOWN_METHOD', `${method} is not a ${kind} Call this panel knows`);
  const verdict = verdictNow(service, method);
  if (verdict.state === 'not-offered') throw new CommandError('NOT_OFFERED', verdict.reason);
  let answer: unknown;
  try {
    answer = await usePanel.getState().invoke('call', { service, method, params: defined(params as object) });
  } catch (error) {
    throw commandError(error);
  }
  const parsed = spec.result.safeParse(answer);
  if (!parsed.success) throw new CommandError('INVALID_ANSWER', `${method} answered something this panel cannot read (${firstIssue(parsed.error)})`);
  return parsed.data as CallResultOf<K, M>;
}

/** A Set at `path` (the state's name first), resolved when the service's confirming Update arrives. */
export async function set(service: string, path: readonly [string, ...string[]], value: unknown): Promise<void> {
  try {
    await usePanel.getState().invoke('set', { service, path: [...path], value });
  } catch (error) {
    throw commandError(error);
  }
}

/** One of the engine's own commands (the host's folders, the hub choice, the log, the demo receiver). */
export async function engine<C extends CommandName>(command: C, args: CommandArgs<C>): Promise<CommandResult<C>> {
  try {
    return await usePanel.getState().invoke(command, args);
  } catch (error) {
    throw commandError(error);
  }
}
