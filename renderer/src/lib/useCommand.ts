/**
 * Runs a panel API command for an operator action: a failure becomes a toast with the service's code and message (the
 * action's own text says what failed); a success may say so too. Resolves to the result, or undefined on failure.
 */
import { useCallback } from 'react';
import type { CommandArgs, CommandName, CommandResult } from '../../../shared/panel/api.ts';
import { usePanel } from '../store/panel.ts';
import { useToasts } from '../store/toasts.ts';

/** The code and message of an error from a host: the bridge's PanelApiError, or Electron's `CODE: message`. */
export function errorInfo(error: unknown): { code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const own = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const prefixed = /^([A-Z][A-Z0-9_]+): (.*)$/s.exec(message);
  if (own) return { code: own, message: prefixed && prefixed[1] === own ? (prefixed[2] ?? message) : message };
  return prefixed ? { code: prefixed[1] as string, message: prefixed[2] as string } : { code: 'ERROR', message };
}

export interface CommandOptions {
  /** Shown when the command fails, before the service's message, e.g. "Push refused". */
  failure: string;
  /** Shown when it succeeds; nothing when absent. */
  success?: string;
}

export function useCommand() {
  const invoke = usePanel((s) => s.invoke);
  const push = useToasts((s) => s.push);
  return useCallback(
    async <C extends CommandName>(command: C, args: CommandArgs<C>, options: CommandOptions): Promise<CommandResult<C> | undefined> => {
      try {
        const result = await invoke(command, args);
        if (options.success) push({ kind: 'success', title: options.success, message: '' });
        return result;
      } catch (error) {
        const { code, message } = errorInfo(error);
        push({ kind: 'error', title: options.failure, code, message });
        return undefined;
      }
    },
    [invoke, push],
  );
}
