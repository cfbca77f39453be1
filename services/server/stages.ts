/**
 * Changes staged for a commit too large for one request (StageChanges; docs/PROTOCOL-EXTENSIONS.md, "Large pushes"):
 * a client sends a push of tens of thousands of files as StageChanges of at most 1 MiB each and one CreateCommit
 * naming the stage, so no request costs the server more to decode and check than a small one, and the push is still
 * one commit. Each batch is checked as it arrives (commit-checks.ts); chunks, names against the branch, the head and
 * the claims when the commit is made. Kept in memory and bounded: MAX_STAGED_CHANGES and MAX_STAGED_BYTES in all
 * stages together, at most MAX_STAGES of them, each forgotten STAGE_IDLE_MS after its last batch; a restarted server
 * has none (the client's CreateCommit then gets UNKNOWN_STAGE and it pushes again).
 */
import { randomUUID } from 'node:crypto';
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import { MAX_STAGED_CHANGES } from '../../shared/assethub/calls.ts';
import { fail } from '../lib/failure.ts';
import { checkChangesAlone } from './commit-checks.ts';

const MAX_STAGES = 64;
/** Bytes of staged changes (as JSON) held at most in all stages together. */
const MAX_STAGED_BYTES = 128 * 1024 * 1024;
export const STAGE_IDLE_MS = 10 * 60_000;

interface Stage {
  caller: string;
  repository: string;
  branch: string;
  changes: TCommitChange[];
  uris: Set<string>;
  bytes: number;
  touched: number;
}

export interface StagedBatch {
  Repository: string;
  Branch: string;
  Stage?: string | undefined;
  Changes: TCommitChange[];
}

export class Stages {
  private readonly stages = new Map<string, Stage>();
  private total = 0;
  private bytes = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Adds a batch to the caller's stage (a new one without `Stage`); returns the stage and how many changes it holds. */
  add(caller: string, batch: StagedBatch): { Stage: string; Count: number } {
    this.forgetIdle();
    const id = batch.Stage ?? randomUUID();
    let stage = batch.Stage === undefined ? undefined : this.stages.get(batch.Stage);
    if (batch.Stage !== undefined && !stage) fail('UNKNOWN_STAGE', `no stage "${batch.Stage}" (forgotten after ${STAGE_IDLE_MS / 60_000} min unused, or the server restarted): stage the changes again`);
    if (stage && (stage.caller !== caller || stage.repository !== batch.Repository || stage.branch !== batch.Branch)) {
      fail('UNKNOWN_STAGE', `stage "${id}" belongs to another caller, repository or branch`);
    }
    const bytes = JSON.stringify(batch.Changes).length;
    if (this.total + batch.Changes.length > MAX_STAGED_CHANGES || this.bytes + bytes > MAX_STAGED_BYTES) {
      fail('TOO_LARGE', `the server holds at most ${MAX_STAGED_CHANGES} staged changes (${MAX_STAGED_BYTES / 1024 / 1024} MiB) at a time: push fewer files at once, or later`);
    }
    if (!stage) {
      if (this.stages.size >= MAX_STAGES) fail('TOO_LARGE', `the server holds at most ${MAX_STAGES} stages at a time: try again later`);
      stage = { caller, repository: batch.Repository, branch: batch.Branch, changes: [], uris: new Set(), bytes: 0, touched: 0 };
    }
    // Checked before anything is kept: a refused batch leaves the stage as it was.
    checkChangesAlone(batch.Changes, new Set(stage.uris));
    for (const change of batch.Changes) {
      stage.changes.push(change);
      stage.uris.add(change.URI);
    }
    stage.touched = this.now();
    stage.bytes += bytes;
    this.total += batch.Changes.length;
    this.bytes += bytes;
    this.stages.set(id, stage);
    return { Stage: id, Count: stage.changes.length };
  }

  /** The staged changes and their URIs, the stage forgotten (a commit is made of it, or fails, once). */
  take(caller: string, id: string, repository: string, branch: string): { changes: TCommitChange[]; uris: Set<string> } {
    this.forgetIdle();
    const stage = this.stages.get(id);
    if (!stage || stage.caller !== caller || stage.repository !== repository || stage.branch !== branch) {
      return fail('UNKNOWN_STAGE', `no stage "${id}" of this caller for ${repository} ${branch} (forgotten, or the server restarted): push again`);
    }
    this.forget(id, stage);
    return { changes: stage.changes, uris: stage.uris };
  }

  private forgetIdle(): void {
    const before = this.now() - STAGE_IDLE_MS;
    for (const [id, stage] of this.stages) {
      if (stage.touched < before) this.forget(id, stage);
    }
  }

  private forget(id: string, stage: Stage): void {
    this.stages.delete(id);
    this.total -= stage.changes.length;
    this.bytes -= stage.bytes;
  }
}
