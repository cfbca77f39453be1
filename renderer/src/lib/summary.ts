/**
 * The one-word state of a machine, Syncthing style, from what the panel knows and nothing more: `Offline`, `Conflicts`,
 * `Syncing n%`, `Out of sync`, `Up to date`, or `—` when the states needed to tell are not read yet.
 */
import type { TServiceStatus, TWorkspaceAssets } from '../../../shared/assethub/states.ts';
import type { Tone } from './format.ts';

export interface MachineFacts {
  online: boolean;
  /** WorkspaceInfo.Status; undefined when not read yet. */
  status: TServiceStatus | undefined;
  /** AssetInfo.Workspaces for a client; undefined when not read yet; null for the server (it has no conflicts). */
  assets: Record<string, TWorkspaceAssets> | undefined | null;
}

export interface Summary { text: string; tone: Tone }

export const UNKNOWN = '—';

/** 0…100 from Progress (a fraction) or Current/Total; null when neither says. */
export function percent(status: Pick<TServiceStatus, 'Progress' | 'Current' | 'Total'>): number | null {
  if (Number.isFinite(status.Progress) && status.Progress >= 0 && status.Progress <= 1) return Math.floor(status.Progress * 100);
  if (status.Total > 0 && status.Current >= 0) return Math.min(100, Math.floor((status.Current / status.Total) * 100));
  return null;
}

export function machineSummary(facts: MachineFacts): Summary {
  if (!facts.online) return { text: 'Offline', tone: 'bad' };
  const conflicts = facts.assets ? Object.values(facts.assets).some((w) => w.ConflictURIs.length > 0) : false;
  if (conflicts) return { text: 'Conflicts', tone: 'bad' };
  const { status } = facts;
  if (!status) return { text: UNKNOWN, tone: 'idle' };
  if (status.Activity !== 'Idle') {
    const p = percent(status);
    return { text: p === null ? 'Syncing' : `Syncing ${p}%`, tone: 'busy' };
  }
  if (status.Incoming || status.Outcoming) return { text: 'Out of sync', tone: 'busy' };
  // Up to date also needs the conflicts to be known (a client's AssetInfo read).
  if (facts.assets === undefined) return { text: UNKNOWN, tone: 'idle' };
  return { text: 'Up to date', tone: 'ok' };
}

/** Where the changes are, from the server's WorkspaceInfo.Clients: the machines with something to pull, to push. */
export function changesWhere(clients: Record<string, { Name: string; Status: TServiceStatus }> | undefined, machineOf: (service: string) => string): { pull: string[]; push: string[] } {
  const entries = Object.values(clients ?? {});
  const names = (pick: (s: TServiceStatus) => boolean) => entries.filter((c) => pick(c.Status)).map((c) => machineOf(c.Name)).sort();
  return { pull: names((s) => s.Incoming), push: names((s) => s.Outcoming) };
}

/** "changes to pull on STAGE-B; changes to push on STAGE-A, STAGE-C", or what the status alone says. */
export function serverChangesWords(status: TServiceStatus | undefined, where: { pull: string[]; push: string[] }): string {
  if (!status) return UNKNOWN;
  const part = (any: boolean, machines: string[], verb: string) =>
    !any ? `nothing to ${verb}` : machines.length > 0 ? `changes to ${verb} on ${machines.join(', ')}` : `changes to ${verb}`;
  return `${part(status.Incoming, where.pull, 'pull')}; ${part(status.Outcoming, where.push, 'push')}`;
}

/** What a machine's Status says of pulling and pushing: "changes to pull; nothing to push"; `—` when not read yet. */
export function pullPushWords(status: TServiceStatus | undefined): string {
  if (!status) return UNKNOWN;
  return [status.Incoming ? 'changes to pull' : 'nothing to pull', status.Outcoming ? 'changes to push' : 'nothing to push'].join('; ');
}
