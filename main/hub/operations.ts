/**
 * The operations the operator started through this engine, with their outcomes, kept here (not in a page) so that a
 * reload or a second window shows them. A Call that changes something is an operation; one that only reads is not.
 *
 * Most end with their CallResult. Pull, Push and RevertLocalChanges answer `Started` and end later: the workspace's
 * Status (client WorkspaceInfo) shows them working (Activity Pull or Push) and then Idle with the outcome in Message;
 * a Message `<what> failed: …` is a failure (the reference client's form, docs/PROTOCOL-EXTENSIONS.md). One never seen
 * working and never told ends as unknown after QUIET_MS, as does one whose client goes offline or restarts, or whose
 * panel moves to another hub: nothing stays "started" after its work is over. A Call whose answer was lost (a timeout,
 * the hub link dropped) may still have happened: a followed one goes on being followed, any other ends unknown.
 */
import type { TWorkspaceStatus } from '../../shared/assethub/states.ts';
import { OPERATIONS_KEPT, type Operation } from '../../shared/panel/api.ts';

/** Calls that report their end through the workspace's Status rather than their result. */
const FOLLOWED = new Set(['Pull', 'Push', 'RevertLocalChanges']);
/** Calls that only read, or that a client makes for itself: not operations. */
const READS = /^(?:Get|Query|Export|Count|Health$|CheckFilter$|CreateCommit$)/;
/** How long an accepted workspace operation may show no sign of work before its end is called unknown. */
export const QUIET_MS = 15_000;
const FAILED_MESSAGE = /^[A-Za-z][\w ]* failed: /;
/** Failures that say nothing of whether the service did it: the answer was lost, not refused. */
const ANSWER_LOST = new Set(['TIMEOUT', 'DISCONNECTED', 'NOT_CONNECTED', 'ENGINE_CLOSED']);
/** What an operation's texts may hold (a Status Message or a Failure is the peer's to size). */
export const TEXT_LIMIT = 2000;
const cut = (text: string): string => (text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT - 1)}…` : text);

interface Followed {
  op: Operation;
  workspace: string;
  /** The workspace's Status Message when the Call was sent. */
  before: string | null;
  acceptedAt: number | null;
  sawWork: boolean;
  /** The Message of an Idle seen after work, before the CallResult came. */
  endedWith: string | null;
  /** The client's StartedAt when the Call was sent: another one means it restarted. */
  clientStart: string | null;
}

export interface JournalOptions {
  /** This panel's service name (who started the operations). */
  by: string;
  emit(op: Operation): void;
  /** A workspace's Status now (from the state cache), if known. */
  statusOf(service: string, workspace: string): TWorkspaceStatus | undefined;
  /** When the service says it started (its Identify), if known. */
  startedAtOf(service: string): string | null;
  now?: () => number;
}

/** Result words for the operations that end with their CallResult. */
function summary(method: string, result: unknown): string {
  const r = (result ?? {}) as Record<string, unknown>;
  if (typeof r['Workspace'] === 'string') return `Created ${r['Workspace']}`;
  if (typeof r['Commit'] === 'string') return `Done at commit ${r['Commit'].slice(0, 8)}`;
  if (Array.isArray(r['Claims'])) return `Done: ${r['Claims'].length} claim(s) on the branch now`;
  if (r['Started'] === true) return 'Accepted: it runs in the background';
  if (method === 'ImportAssets' || method === 'ResyncAssets' || method === 'SyncAllAssets') return `Accepted: ${JSON.stringify(result).slice(0, 200)}`;
  return 'Done';
}

function subjectOf(params: Record<string, unknown>): string {
  for (const key of ['Workspace', 'Repository', 'Integration', 'Name', 'URI']) {
    if (typeof params[key] === 'string') return params[key];
  }
  return '';
}

/** A workspace's Status in a client's WorkspaceInfo, if the cache has it. */
export function workspaceStatus(info: unknown, workspace: string): TWorkspaceStatus | undefined {
  const workspaces = (info as { Workspaces?: Record<string, { Status?: TWorkspaceStatus }> } | undefined)?.Workspaces;
  return workspaces && Object.hasOwn(workspaces, workspace) ? workspaces[workspace]?.Status : undefined;
}

export class OperationJournal {
  private readonly ops: Operation[] = [];
  private readonly followed = new Map<number, Followed>();
  private nextId = 1;
  private readonly now: () => number;

  constructor(private readonly options: JournalOptions) {
    this.now = options.now ?? Date.now;
  }

  list(): Operation[] {
    return this.ops.map((op) => ({ ...op }));
  }

  /** A Call is about to be sent; null when it is not an operation. */
  begin(service: string, method: string, params: Record<string, unknown>): number | null {
    if (READS.test(method)) return null;
    const op: Operation = {
      id: this.nextId++, service, method, subject: cut(subjectOf(params)), by: this.options.by, startedAt: this.now(), endedAt: null, state: 'started', outcome: null, via: null, after: null,
    };
    this.ops.push(op);
    if (this.ops.length > OPERATIONS_KEPT) {
      const gone = this.ops.splice(0, this.ops.length - OPERATIONS_KEPT);
      for (const g of gone) this.followed.delete(g.id);
    }
    const workspace = params['Workspace'];
    if (FOLLOWED.has(method) && typeof workspace === 'string') {
      const status = this.options.statusOf(service, workspace);
      this.followed.set(op.id, {
        op, workspace, before: status?.Message ?? null, acceptedAt: null, sawWork: false, endedWith: null, clientStart: this.options.startedAtOf(service),
      });
    }
    this.options.emit({ ...op });
    return op.id;
  }

  /** The Call's answer: a Result, or the Failure (or timeout) it ended with. */
  settle(id: number | null, answer: { ok: true; result: unknown } | { ok: false; code: string; message: string }): void {
    const op = id === null ? undefined : this.ops.find((o) => o.id === id);
    if (!op || op.endedAt !== null) return;
    const f = this.followed.get(op.id);
    if (!answer.ok && ANSWER_LOST.has(answer.code)) {
      // Lost, not refused: it may have happened. A followed one shows it on its workspace; any other cannot tell.
      if (!f) return this.end(op, 'unknown', `${answer.code}: ${answer.message}; it may have happened all the same`, 'call');
    } else if (!answer.ok) {
      return this.end(op, 'failed', `${answer.code}: ${answer.message}`, 'call');
    } else if (!f) {
      return this.end(op, 'done', summary(op.method, answer.result), 'call');
    }
    if (!f) return;
    f.acceptedAt = this.now();
    if (f.endedWith !== null) return this.endWith(f, f.endedWith);
    if (f.sawWork && op.state !== 'running') this.change(op, { state: 'running' });
  }

  /** A client's WorkspaceInfo, as the cache holds it after an Update. */
  onWorkspaceInfo(service: string, info: unknown): void {
    for (const f of this.followed.values()) {
      // Once its end is seen, later Updates belong to whatever ran next (an AutoPull queued behind it).
      if (f.op.service !== service || f.op.endedAt !== null || f.endedWith !== null) continue;
      if (this.restarted(f)) continue;
      const status = workspaceStatus(info, f.workspace);
      if (!status) continue;
      if (status.Activity !== 'Idle') {
        f.sawWork = true;
        if (f.op.state !== 'running') this.change(f.op, { state: 'running' });
      } else if (f.sawWork || (f.acceptedAt !== null && status.Message !== f.before)) {
        // Idle after working, or a new outcome of work too short to be seen (the client throttles its Updates).
        if (f.acceptedAt === null) f.endedWith = status.Message;
        else this.endWith(f, status.Message);
      }
    }
  }

  /** Every heartbeat: operations whose client went away, or that never showed any work. */
  sweep(online: (service: string) => boolean): void {
    const now = this.now();
    for (const f of this.followed.values()) {
      if (f.op.endedAt !== null) continue;
      const machine = f.op.service;
      if (this.restarted(f)) continue;
      if (!online(machine)) this.end(f.op, 'unknown', `${machine} went offline before it reported how this ended`, 'workspace');
      else if (f.acceptedAt !== null && !f.sawWork && now - f.acceptedAt >= QUIET_MS) {
        this.end(f.op, 'unknown', `${machine} accepted it but reported no work on the workspace in ${QUIET_MS / 1000} s`, 'workspace');
      }
    }
  }

  /** The panel moved to another hub: what it followed there can no longer be seen. */
  leave(reason: string): void {
    for (const f of [...this.followed.values()]) if (f.op.endedAt === null) this.end(f.op, 'unknown', reason, 'workspace');
    for (const op of this.ops) if (op.endedAt === null) this.end(op, 'unknown', reason, 'call');
  }

  /** Ends it unknown when its client is another process than when it began (a restart forgets what it was doing). */
  private restarted(f: Followed): boolean {
    const now = this.options.startedAtOf(f.op.service);
    if (f.clientStart === null || now === null || now === f.clientStart) return false;
    this.end(f.op, 'unknown', `${f.op.service} restarted before it reported how this ended`, 'workspace');
    return true;
  }

  private endWith(f: Followed, message: string): void {
    // An empty Message after work is what a client that just started says, not how this ended.
    if (!message) return this.end(f.op, 'unknown', `${f.op.service} went idle without saying how it ended`, 'workspace');
    this.end(f.op, FAILED_MESSAGE.test(message) ? 'failed' : 'done', message, 'workspace');
  }

  private end(op: Operation, state: 'done' | 'failed' | 'unknown', outcome: string, via: 'call' | 'workspace'): void {
    const f = this.followed.get(op.id);
    this.followed.delete(op.id);
    // The workspace's Message when it ended: the row shows the end until the workspace says something newer.
    const workspace = f?.workspace ?? op.subject;
    const after = this.options.statusOf(op.service, workspace)?.Message ?? null;
    this.change(op, { state, outcome: cut(outcome), endedAt: this.now(), via, after: after === null ? null : cut(after) });
  }

  private change(op: Operation, fields: Partial<Operation>): void {
    Object.assign(op, fields);
    this.options.emit({ ...op });
  }
}
