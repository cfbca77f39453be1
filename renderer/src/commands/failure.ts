/**
 * The one way a failed command reaches the operator: a toast whose title names what failed, with the service's code
 * and message, which stays until dismissed. Callers that also show the failure in place (a dialog's inline error, a
 * switch's note) get the same code and message back, so the two never disagree.
 */
import { err, ok, type Result } from '../../../shared/result.ts';
import { useToasts } from '../store/toasts.ts';

export interface Failure { code: string; message: string }

/** A command that failed: the service's (or the engine's) code, or the panel's own (INVALID_ANSWER, TIMEOUT). */
export class CommandError extends Error implements Failure {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'CommandError';
  }
}

function field(error: unknown, name: 'code' | 'message'): string | undefined {
  const value: unknown = typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The code and message of an error: a CommandError or Failure as it is, the bridge's PanelApiError, or Electron's
 * `CODE: message` (its IPC keeps only the text).
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof CommandError) return { code: error.code, message: error.message };
  const message = field(error, 'message') ?? String(error);
  const own = field(error, 'code');
  const prefixed = /^([A-Z][A-Z0-9_]+): (.*)$/s.exec(message);
  if (own) return { code: own, message: prefixed && prefixed[1] === own ? (prefixed[2] ?? message) : message };
  return prefixed ? { code: prefixed[1] as string, message: prefixed[2] as string } : { code: 'ERROR', message };
}

/** Any rejection as a CommandError, so every command fails the same way whichever host carried it. */
export const commandError = (error: unknown): CommandError => {
  if (error instanceof CommandError) return error;
  const { code, message } = failureOf(error);
  return new CommandError(code, message);
};

/** Toasts a failure under `title` (what failed, in the operator's words) and hands it back for an inline note. */
export function toastFailure(title: string, error: unknown): Failure {
  const failure = failureOf(error);
  useToasts.getState().push({ kind: 'error', title, code: failure.code, message: failure.message });
  return failure;
}

type Said = { title: string; message?: string };
export type Success<T> = string | Said | ((value: T) => Said);

export interface AttemptTexts<T> {
  /** The toast's title when it fails, e.g. "Push of STAGE-A Show refused". */
  failure: string;
  /** The toast when it succeeds; none when absent. */
  success?: Success<T>;
}

/** Awaits a command for an operator action: a failure is toasted (the policy above), a success may be. */
export async function attempt<T>(command: Promise<T>, texts: AttemptTexts<T>): Promise<Result<T, Failure>> {
  let value: T;
  try {
    value = await command;
  } catch (error) {
    return err(toastFailure(texts.failure, error));
  }
  if (texts.success !== undefined) {
    const said = typeof texts.success === 'string' ? { title: texts.success } : typeof texts.success === 'function' ? texts.success(value) : texts.success;
    useToasts.getState().push({ kind: 'success', title: said.title, message: said.message ?? '' });
  }
  return ok(value);
}

/** For a dialog's form: `attempt`, then `done` with the result, or the refusal for the form to show inline. */
export async function submit<T>(command: Promise<T>, texts: AttemptTexts<T>, done: (value: T) => void): Promise<Failure | null> {
  const outcome = await attempt(command, texts);
  if (!outcome.ok) return outcome.error;
  done(outcome.value);
  return null;
}
