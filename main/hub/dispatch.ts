/** The one entry point both hosts use for a command from the renderer: validate, run, answer. Never throws. */
import { parseCommand, type ApiError, type CommandResponse } from '../../shared/panel/api.ts';
import type { PanelEngine } from './engine.ts';

/** An ApiError from anything thrown: EngineError (and any error with a string `code`) keeps its code. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' && code.length > 0 ? code : 'INTERNAL', message: error.message };
  }
  return { code: 'INTERNAL', message: String(error) };
}

/** Validates a raw command (parseCommand) and runs it; the response carries the result or an ApiError. */
export async function dispatchCommand(engine: PanelEngine, id: number, command: string, args: unknown): Promise<CommandResponse> {
  const parsed = parseCommand(command, args);
  if (!parsed.ok) return { id, ok: false, error: parsed.error };
  try {
    const result = await engine.invoke(parsed.command, parsed.args);
    return { id, ok: true, result };
  } catch (error) {
    return { id, ok: false, error: toApiError(error) };
  }
}
