/**
 * The operations the engine keeps (main/hub/operations.ts), in the operator's words: what each is, where it acts, how
 * it ended. The workspace rows, the Overview's recent operations and the end-of-operation toasts read them.
 */
import { useEffect, useRef } from 'react';
import type { Operation } from '../../../shared/panel/api.ts';
import { serviceKindOf } from '../../../shared/assethub/index.ts';
import { usePanel, type PanelData } from '../store/panel.ts';
import { useToasts } from '../store/toasts.ts';
import { clientOf, machineOf } from './selectors.ts';

const WORDS: Record<string, string> = {
  Pull: 'Pull', Push: 'Push', RevertLocalChanges: 'Revert', Scan: 'Rescan', ResolveConflict: 'Resolve conflict', CreateWorkspace: 'Create workspace',
  CreateRepository: 'Create repository', CreateBranch: 'Create branch', TagCommit: 'Tag', UntagCommit: 'Remove tag', Claim: 'Claim',
  ReleaseClaim: 'Release claim', ImportAssets: 'Import assets', ResyncAssets: 'Re-sync', SyncAllAssets: 'Sync all', CancelSync: 'Cancel Sync all',
};

export const operationWords = (method: string): string => WORDS[method] ?? method;

export const STATE_WORDS: Record<Operation['state'], string> = {
  started: 'started', running: 'running', done: 'done', failed: 'failed', unknown: 'outcome unknown',
};

/** A workspace by its display path when its client reports one; any other subject as it is. */
export function subjectText(data: PanelData | null, op: Operation): string {
  const workspaces = clientOf(data, op.service).PersistentState?.Workspaces;
  const ws = workspaces && Object.hasOwn(workspaces, op.subject) ? workspaces[op.subject] : undefined;
  return ws ? ws.DisplayPath : op.subject;
}

/** "Push of STAGE-A %SYNCED_STORAGE%/Projects/Show", "Tag of %SYNCED_STORAGE%\\Projects\\Show" (server operations). */
export function operationTitle(op: Operation, data: PanelData | null): string {
  const where = serviceKindOf(op.service) === 'client' ? machineOf(op.service) : '';
  const what = [where, subjectText(data, op)].filter(Boolean).join(' ');
  return `${operationWords(op.method)}${what ? ` of ${what}` : ''}`;
}

export const ended = (op: Operation): boolean => op.endedAt !== null;

/** The newest operation on a workspace of a client, if any. */
export function latestOn(operations: readonly Operation[], service: string, workspace: string): Operation | null {
  for (let i = operations.length - 1; i >= 0; i--) {
    const op = operations[i]!;
    if (op.service === service && op.subject === workspace) return op;
  }
  return null;
}

/**
 * A toast when a workspace operation this window saw running ends (its Call's own answer is toasted where it was
 * clicked): done fades by itself, failed and unknown stay until dismissed.
 */
export function useOperationToasts(): void {
  const data = usePanel((s) => s.data);
  const operations = data?.operations;
  const push = useToasts((s) => s.push);
  const open = useRef<Set<number> | null>(null);
  useEffect(() => {
    if (!operations) return;
    const first = open.current === null;
    const now = open.current ?? new Set<number>();
    for (const op of operations) {
      if (!ended(op)) now.add(op.id);
      else if (now.delete(op.id) && !first && op.via === 'workspace') {
        const title = `${operationTitle(op, data ?? null)} ${STATE_WORDS[op.state]}`;
        push({ kind: op.state === 'done' ? 'success' : 'error', title, message: op.outcome ?? '' });
      }
    }
    open.current = now;
  }, [operations, data, push]);
}

/** Mounted once beside the toast stack: a component of its own, so the shell does not render with every state. */
export function OperationToasts(): null {
  useOperationToasts();
  return null;
}
