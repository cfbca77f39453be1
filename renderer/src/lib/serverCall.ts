/**
 * Calls on AssetHubServer for the views: each answer is checked against its shared schema (an answer the panel cannot
 * read is an error that says where, never half-shown data), and each refusal keeps the service's code, so callers can
 * tell CURSOR_EXPIRED or INVALID_FILTER from the rest.
 */
import type { z } from 'zod';
import { usePanel } from '../store/panel.ts';
import { SERVER_NAME } from './selectors.ts';
import { errorInfo } from './useCommand.ts';

export interface CallFailure { code: string; message: string }

export class ServerCallError extends Error implements CallFailure {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export const failureOf = (error: unknown): CallFailure =>
  error instanceof ServerCallError ? { code: error.code, message: error.message } : errorInfo(error);

export async function callServer<S extends z.ZodType>(method: string, params: Record<string, unknown>, schema: S): Promise<z.infer<S>> {
  let result: unknown;
  try {
    result = await usePanel.getState().invoke('call', { service: SERVER_NAME, method, params });
  } catch (error) {
    const { code, message } = errorInfo(error);
    throw new ServerCallError(code, message);
  }
  const parsed = schema.safeParse(result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(the answer)'}: ${issue.message}` : 'unexpected shape';
    throw new ServerCallError('INVALID_ANSWER', `${method} answered something this panel cannot read (${where})`);
  }
  return parsed.data;
}

/** A Set on AssetHubServer, resolved when its confirming Update arrives; a refusal keeps the service's code. */
export async function setServer(path: string[], value: unknown): Promise<void> {
  try {
    await usePanel.getState().invoke('set', { service: SERVER_NAME, path, value });
  } catch (error) {
    const { code, message } = errorInfo(error);
    throw new ServerCallError(code, message);
  }
}
