/**
 * One workspace: a folder kept in step with a server branch. It scans what is on disk against its base (the files as
 * of its commit), pulls the server's changes without ever overwriting a local change (those become conflicts),
 * pushes local changes as a commit, reverts, and resolves conflicts. Every file write goes through ./files (inside
 * the workspace only, temp file + fsync + rename), and the base is updated file by file, so a crash mid-pull leaves
 * each file either old or new and the next pull finishes the job.
 * Over 400 lines: its operations share the workspace's view, store and progress, which a split would pass around.
 */
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import type { TAssetChange, TClaim } from '../../shared/assethub/states.ts';
import { ServiceFailure, fail } from '../lib/failure.ts';
import type { Logger } from '../lib/log.ts';
import { bytesBody, chunkAgent, splitFile, uploadChunk, type ChunkBody } from '../lib/chunks/index.ts';
import { applyChange, applySafely, asChange, changedSinceScan, type ApplyTarget } from './apply.ts';
import { removeAsset, resolveInWorkspace } from './files/index.ts';
import { fetchChanges } from './remote-changes.ts';
import { sendCommit } from './commit-request.ts';
import { Progress, idleStatus } from './progress.ts';
import { WorkspaceScanner, localChanges, type ReadFile, type ScanOptions, type ScanResult } from './scan/index.ts';
import type { ClientStore, Conflict, WorkspaceRow } from './store.ts';
import { describeUnwritten, type Unwritten } from './unwritable.ts';
import { commitPush } from './push-commit.ts';

/** What a workspace needs from the server (through the client service). */
export interface ServerLink {
  machine: string;
  token: string | undefined;
  storageUrl(): string;
  call(method: string, params: Record<string, unknown>, timeoutMs?: number): Promise<unknown>;
  /** Commit IDs of the branch, oldest first; null when the server does not have the branch (or is unknown yet). */
  commits(repository: string, branch: string): string[] | null;
  claims(repository: string, branch: string): TClaim[];
  /** A Log line on the hub, for operators. */
  log(level: 'Info' | 'Warning' | 'Error', message: string): void;
}

export interface WorkspaceView {
  scan: ScanResult | null;
  local: TAssetChange[];
  remote: TCommitChange[];
  conflicts: Conflict[];
  /** Server changes this disk refused; the workspace is past them, so they are remote changes still (unwritable.ts). */
  unwritten: Unwritten[];
  scanning: boolean;
}

const short = (id: string | null): string => (id ? id.slice(0, 8) : 'nothing');
/** CreateCommit checks every chunk on the server first: a large push needs longer than a plain call's 5 s. */
const COMMIT_TIMEOUT_MS = 120_000;
/** Chunks of a file out at once in a push: enough to keep the wire and the server's disk busy while the next is read. */
const UPLOADS_IN_FLIGHT = 4;

export class Workspace {
  readonly progress: Progress;
  private readonly scanner: WorkspaceScanner;
  private stopWatching: (() => void) | null = null;
  private busy: Promise<unknown> | null = null;
  private pullAgain = false;
  view: WorkspaceView = { scan: null, local: [], remote: [], conflicts: [], unwritten: [], scanning: false };
  /** The (From, To) the cached RemoteChanges were computed for. */
  private remoteKey = '';
  /** Scans started; only the latest one's result is kept (a watcher scan may finish after a newer one). */
  private scans = 0;
  /** Settles when the newest rescan asked for has. */
  private newest: Promise<void> = Promise.resolve();
  /** Files written by pulls and reverts since the last scan, for the scan index (apply.ts `onPlaced`). */
  private placed: ReadFile[] = [];

  constructor(
    public row: WorkspaceRow,
    private readonly store: ClientStore,
    private readonly server: ServerLink,
    private readonly logger: Logger,
    /** Asks the client to publish fresh states (throttled by the client unless `now`). */
    private readonly changed: (what: 'status' | 'assets' | 'persistent', now?: boolean) => void,
    /** Why the client did not open this workspace (its folder breaks the workspace rules), or null. */
    readonly blocked: string | null = null,
  ) {
    this.progress = new Progress((transition) => changed('status', transition));
    this.scanner = new WorkspaceScanner({ root: row.path, db: store.db, workspaceKey: row.path });
    this.view.conflicts = store.conflicts(row.path);
    this.view.unwritten = store.unwritten(row.path);
    // Where it stands at start, not the end of an operation: published with the first states.
    if (blocked) this.progress.status = idleStatus(`Not opened: ${blocked}. Nothing in its folder is read, written or deleted; its record is kept.`);
    else if (this.view.unwritten.length > 0) this.progress.status = idleStatus(`${describeUnwritten(this.view.unwritten)}.`);
  }

  /** Refuses any work on a workspace the client did not open. */
  private assertOpen(): void {
    if (this.blocked) fail('UNSAFE_PATH', `workspace "${this.path}" is not opened: ${this.blocked}`);
  }

  get path(): string {
    return this.row.path;
  }

  get isBusy(): boolean {
    return this.busy !== null;
  }

  /** Starts watching the folder: local edits show up as LocalChanges without a Scan call. */
  watch(): void {
    if (this.blocked) return;
    this.stopWatching ??= this.scanner.watch(() => {
      if (!this.busy) void this.rescan().catch((e: unknown) => this.logger.warn({ err: String(e), workspace: this.path }, 'scan failed'));
    }, 300);
  }

  close(): void {
    this.stopWatching?.();
    this.stopWatching = null;
  }

  /**
   * Scans the disk and recomputes LocalChanges against the base. When it resolves, the view is from a scan that began
   * after this call: the scans run one after another, and one overtaken by a newer request waits for it (the view is
   * the newest's), so a Push right after a rescan never sees the view from before the files it is to push.
   */
  rescan(options: Pick<ScanOptions, 'deferReads'> = {}): Promise<ScanResult> {
    this.assertOpen();
    const run = this.scanOnce(++this.scans, options);
    this.newest = run.then(() => undefined, () => undefined);
    return run;
  }

  private async scanOnce(generation: number, options: Pick<ScanOptions, 'deferReads'>): Promise<ScanResult> {
    this.view = { ...this.view, scanning: true };
    this.changed('assets');
    try {
      // Files this client wrote since the last scan are known (stat and hash): the scan need not read them.
      if (this.placed.length > 0) await this.scanner.remember(this.placed.splice(0));
      const scan = await this.scanner.scan(options);
      if (generation !== this.scans) {
        await this.newest;
        return scan;
      }
      // A file the scan could not read (held open by another program) is not a deletion: it must never be pushed as one.
      const unreadable = (uri: string) => scan.skipped.some((s) => uri === s || uri.startsWith(`${s}/`));
      const local = localChanges(this.store.base(this.path), scan.entries).filter((c) => !(c.Type === 'Delete' && unreadable(c.URI)));
      this.view = { ...this.view, scan, local, scanning: false };
      return scan;
    } finally {
      this.view = { ...this.view, scanning: false };
      this.changed('assets');
    }
  }

  private remoteKeyNow(): string {
    return `${this.row.commit}→${this.server.commits(this.row.repository, this.row.branch)?.at(-1) ?? null}`;
  }

  /** RemoteChanges: what the server has between this workspace's commit and the branch head. */
  async refreshRemote(): Promise<void> {
    const commits = this.server.commits(this.row.repository, this.row.branch);
    const head = commits?.at(-1) ?? null;
    const key = this.remoteKeyNow();
    if (key === this.remoteKey) return;
    if (!commits || !head || head === this.row.commit || (this.row.commit !== null && !commits.includes(this.row.commit))) {
      this.view = { ...this.view, remote: [] };
    } else {
      const remote = await fetchChanges((m, p) => this.server.call(m, p), { Repository: this.row.repository, Branch: this.row.branch, From: this.row.commit, To: head });
      // The workspace's commit or the head moved while the server answered (a push's own commit, its broadcast
      // first): the call made for the move sets the view; this answer is older than it.
      if (this.remoteKeyNow() !== key) return;
      this.view = { ...this.view, remote };
    }
    this.remoteKey = key;
    this.changed('assets');
  }

  /** Attached: the server has this workspace's branch and its history contains the workspace's commit. */
  attached(): boolean {
    const commits = this.server.commits(this.row.repository, this.row.branch);
    return commits !== null && (this.row.commit === null || commits.includes(this.row.commit));
  }

  // ---- operations ----

  /** Runs one operation at a time; a second one is refused with BUSY. */
  private run(label: string, op: () => Promise<void>): void {
    this.assertOpen();
    if (this.busy) fail('BUSY', `${this.path} is busy`);
    this.busy = op()
      .catch((error: unknown) => {
        const message = error instanceof ServiceFailure ? `${label} failed: ${error.code}: ${error.message}` : `${label} failed: ${error instanceof Error ? error.message : String(error)}`;
        this.logger.warn({ workspace: this.path, err: error instanceof Error ? error.stack : String(error) }, message);
        this.progress.end(message);
      })
      .finally(() => {
        this.busy = null;
        this.changed('assets');
        this.changed('persistent');
        if (this.pullAgain) {
          this.pullAgain = false;
          this.autoPull();
        }
      });
  }

  /** Waits for the running operation, if any (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.busy) await this.busy;
  }

  /** An automatic pull; if an operation is running, one more pull follows it. */
  autoPull(): void {
    if (this.busy) {
      this.pullAgain = true;
      return;
    }
    try {
      this.pull({ auto: true });
    } catch (error) {
      // The branch or its head may have gone from the server: say so, never crash the client.
      const message = `AutoPull of ${this.path} did not start: ${error instanceof Error ? error.message : String(error)}`;
      this.logger.warn(message);
      this.server.log('Warning', message);
    }
  }

  /** Checks a Pull can start (answered in the Call), then runs it in the background. */
  pull(options: { upTo?: string; force?: boolean; auto?: boolean }): void {
    this.assertOpen();
    const commits = this.server.commits(this.row.repository, this.row.branch);
    if (!commits) fail('UNKNOWN_BRANCH', `the server has no branch "${this.row.branch}" in "${this.row.repository}"`);
    const target = options.upTo ?? commits?.at(-1) ?? null;
    if (target === null || !commits?.includes(target)) fail('UNKNOWN_COMMIT', `branch "${this.row.branch}" has no commit "${options.upTo}"`);
    if (this.row.commit !== null && commits && commits.indexOf(target as string) < commits.indexOf(this.row.commit)) {
      fail('INVALID_PARAMS', `commit ${short(target)} is older than the workspace's ${short(this.row.commit)}`);
    }
    this.run('Pull', () => this.doPull(target as string, options.force ?? false, options.auto ?? false));
  }

  private async doPull(target: string, force: boolean, auto: boolean): Promise<void> {
    this.progress.begin('Pull', auto, 'Scanning local changes…');
    await this.rescan();
    if (force) await this.discardLocal(null);
    const from = this.row.commit;
    const fetched = await fetchChanges((m, p) => this.server.call(m, p), { Repository: this.row.repository, Branch: this.row.branch, From: from, To: target });
    // What the disk refused before is tried again, unless the server has changed it since (then `fetched` has that).
    const before = this.store.unwritten(this.path);
    const fetchedUris = new Set(fetched.map((c) => c.URI));
    const changes = [...fetched, ...before.filter((u) => !fetchedUris.has(u.uri)).map((u) => u.change)];
    const local = new Map(this.view.local.map((c) => [c.URI, c]));
    const disk = this.view.scan?.entries ?? new Map();
    // Progress counts bytes for files and one step for anything else, so a single large file moves the bar too.
    const steps = changes.reduce((n, c) => n + (c.Type === 'PutFile' ? c.Size ?? 0 : 1), 0);
    this.progress.stage('InProgress', steps, `Pulling ${changes.length} change(s)…`);
    let conflicts = 0;
    const failed: string[] = [];
    const unwritten: Unwritten[] = [];
    for (const change of changes) {
      const weight = change.Type === 'PutFile' ? change.Size ?? 0 : 1;
      const mine = local.get(change.URI);
      const onDisk = disk.get(change.URI);
      const same = change.Type === 'PutFile' ? onDisk?.kind === 'file' && onDisk.hash === change.Hash
        : change.Type === 'PutDirectory' ? onDisk?.kind === 'directory' : onDisk === undefined;
      if (mine && !same) {
        // Changed here and there: never overwrite. The base becomes the server's version; the file stays as it is.
        this.store.transaction(() => {
          this.store.addConflict(this.path, { uri: change.URI, remote: change });
          this.store.setBase(this.path, change.URI, change);
        });
        conflicts++;
        this.progress.advance(weight);
      } else if (same) {
        this.store.setBase(this.path, change.URI, change);
        this.progress.advance(weight);
      } else if (await changedSinceScan(this.path, change.URI, onDisk)) {
        // Saved by the operator while this pull ran: keep it, as a conflict, exactly like a change found by the scan.
        this.store.transaction(() => {
          this.store.addConflict(this.path, { uri: change.URI, remote: change });
          this.store.setBase(this.path, change.URI, change);
        });
        conflicts++;
        this.progress.advance(weight);
      } else {
        let done = 0;
        const outcome = await applySafely(this.target, change, (n) => {
          done += n;
          this.progress.advance(n);
        });
        this.progress.advance(Math.max(0, weight - done));
        if (outcome === 'applied') this.store.setBase(this.path, change.URI, change);
        else if (outcome === 'refused') failed.push(change.URI);
        else {
          unwritten.push({ uri: change.URI, change, reason: outcome.unwritable });
          this.store.addUnwritten(this.path, unwritten.at(-1) as Unwritten);
          continue;
        }
      }
      // Written, deleted (a file never written here is simply absent: `same`), in conflict or refused: not unwritten.
      if (before.length > 0) this.store.removeUnwritten(this.path, change.URI, change.Type === 'Delete');
    }
    // A change that could not be applied keeps the workspace at its old commit, so the next pull asks for it again;
    // what was applied is in the base already and will simply match. A file the disk refused does not hold the
    // workspace back: it is remembered and tried again by the next pull.
    if (failed.length === 0) {
      this.store.setCommit(this.path, target);
      this.row = { ...this.row, commit: target };
    }
    this.view = { ...this.view, conflicts: this.store.conflicts(this.path), unwritten: this.store.unwritten(this.path) };
    this.progress.stage('Finalizing', 0, 'Rescanning…');
    await this.rescan();
    await this.refreshRemote();
    const applied = changes.length - conflicts - failed.length - unwritten.length;
    const kept = conflicts ? `; ${conflicts} conflict(s) kept for you to resolve` : '';
    const refused = unwritten.length ? `; ${describeUnwritten(unwritten)}` : '';
    this.progress.end(
      changes.length === 0 ? `Up to date at ${short(target)}.`
        : failed.length > 0 ? `Pulled ${applied} change(s); ${failed.length} could not be applied (see the log), so the workspace stays at ${short(from)}${kept}${refused}.`
          : `Pulled ${applied} change(s) to ${short(target)}${kept}${refused}.`,
    );
  }

  /** Where apply.ts writes, and what it needs to. */
  private get target(): ApplyTarget {
    return {
      root: this.path, server: this.server, logger: this.logger,
      kindOf: (uri) => this.store.base(this.path).get(uri)?.kind ?? 'file',
      onPlaced: (file) => {
        // In batches, so a pull of 100,000 files does not hold as many stats until its rescan.
        if (this.placed.push(file) >= 1_000) void this.scanner.remember(this.placed.splice(0)).catch((e: unknown) => this.logger.warn({ err: String(e) }, 'scan index not updated'));
      },
    };
  }

  /** Puts the base version back for every local change (or those of `uris`). */
  private async discardLocal(uris: ReadonlySet<string> | null): Promise<number> {
    const base = this.store.base(this.path);
    let reverted = 0;
    for (const change of this.view.local.filter((c) => uris === null || uris.has(c.URI))) {
      const kept = base.get(change.URI);
      if (kept) await applyChange(this.target, asChange(kept));
      else await removeAsset(this.path, change.URI, change.Type === 'PutDirectory' ? 'directory' : 'file');
      this.store.removeConflict(this.path, change.URI);
      reverted++;
    }
    this.view = { ...this.view, conflicts: this.store.conflicts(this.path) };
    return reverted;
  }

  /** Checks a Push can start (answered in the Call), then runs it in the background. */
  push(comment: string, uris: string[] | undefined): void {
    this.assertOpen();
    const commits = this.server.commits(this.row.repository, this.row.branch);
    const head = commits?.at(-1) ?? null;
    if (head !== this.row.commit) fail('NOT_AT_HEAD', `the branch is at ${short(head)}, the workspace at ${short(this.row.commit)}: pull first`);
    const wanted = uris ? new Set(uris) : null;
    const selected = this.view.local.filter((c) => wanted === null || wanted.has(c.URI));
    if (selected.length === 0) fail('NOTHING_TO_PUSH', wanted ? 'none of those URIs has a local change' : 'there are no local changes to push');
    const conflicted = this.view.conflicts.filter((c) => wanted === null || wanted.has(c.uri));
    if (conflicted.length > 0) fail('INVALID_PARAMS', `resolve the conflict on ${conflicted[0]?.uri} first`);
    for (const claim of this.server.claims(this.row.repository, this.row.branch)) {
      if (claim.Owner !== this.server.machine && selected.some((c) => c.URI === claim.URI)) fail('CLAIMED_BY_OTHER', `${claim.URI} is claimed by ${claim.Owner}`);
    }
    this.run('Push', () => this.doPush(comment, wanted));
  }

  private async doPush(comment: string, wanted: ReadonlySet<string> | null): Promise<void> {
    this.progress.begin('Push', false, 'Scanning local changes…');
    // A changed file is read once, by the upload below (which finds it unchanged when it hashes as its base does).
    await this.rescan({ deferReads: true });
    const selected = this.view.local.filter((c) => wanted === null || wanted.has(c.URI));
    if (selected.length === 0) {
      this.progress.end('Nothing to push.');
      return;
    }
    const files = selected.filter((c) => c.Type === 'PutFile');
    const sizeOf = (uri: string) => this.view.scan?.entries.get(uri)?.size ?? 0;
    // Progress in bytes uploaded, as for a pull.
    const steps = files.reduce((n, c) => n + sizeOf(c.URI), 0);
    this.progress.stage('InProgress', steps, `Uploading ${files.length} file(s)…`);
    const changes: TCommitChange[] = [];
    const uploads: Array<{ file: string; hash: string; offset: number; length: number }> = [];
    const upload = (hash: string, body: ChunkBody) => uploadChunk(this.server.storageUrl(), this.server.token, hash, body, { agent: chunkAgent() });
    const put = new Set(selected.filter((c) => c.Type !== 'Delete').map((c) => c.URI));
    const base = this.store.base(this.path);
    const read: ReadFile[] = [];
    for (const change of selected) {
      // A folder that became a file (or the reverse) is one Put on the server, which replaces the old kind.
      if (change.Type === 'Delete' && put.has(change.URI)) continue;
      if (change.Type !== 'PutFile') {
        changes.push({ Type: change.Type, URI: change.URI });
        continue;
      }
      const resolved = await resolveInWorkspace(this.path, change.URI);
      if (!resolved.ok) fail('UNSAFE_PATH', `${change.URI}: ${resolved.error}`);
      const file = resolved.ok ? resolved.value : '';
      // One read: each chunk is hashed and uploaded from the same buffer, UPLOADS_IN_FLIGHT at once.
      const split = await splitFile(file, {
        inFlight: UPLOADS_IN_FLIGHT,
        onChunk: async (chunk) => {
          await upload(chunk.hash, bytesBody(chunk.bytes));
          this.progress.advance(chunk.length);
        },
      });
      if (split.stat) read.push({ uri: change.URI, stat: split.stat, hash: split.hash });
      const was = base.get(change.URI);
      if (was?.kind === 'file' && was.hash === split.hash) continue; // touched, not changed: its chunks were there
      for (const chunk of split.chunks) uploads.push({ file, hash: chunk.hash, offset: chunk.offset, length: chunk.length });
      changes.push({ Type: 'PutFile', URI: change.URI, Size: split.size, Hash: split.hash, Chunks: split.chunks.map((c) => c.hash) });
    }
    await this.scanner.remember(read);
    if (changes.length === 0) {
      await this.rescan();
      this.progress.end('Nothing to push.');
      return;
    }
    this.progress.stage('Finalizing', 0, 'Creating the commit…');
    const params = { Repository: this.row.repository, Branch: this.row.branch, Parent: this.row.commit, Author: this.server.machine, Comment: comment, Changes: changes };
    const Commit = await commitPush(
      () => sendCommit((method, p) => this.server.call(method, p, COMMIT_TIMEOUT_MS), params),
      async () => {
        this.progress.stage('Finalizing', 0, 'The server collected some chunks of this long push: offering them again…');
        for (const u of uploads) await upload(u.hash, { path: u.file, offset: u.offset, length: u.length });
        this.progress.stage('Finalizing', 0, 'Creating the commit…');
      },
    );
    this.store.transaction(() => {
      for (const change of changes) this.store.setBase(this.path, change.URI, change);
      this.store.setCommit(this.path, Commit);
    });
    this.row = { ...this.row, commit: Commit };
    await this.rescan();
    // The server's broadcast of this commit may have come before its answer: recompute what is remote.
    await this.refreshRemote();
    this.progress.end(`Pushed ${changes.length} change(s) as ${short(Commit)}.`);
  }

  revert(uris: string[] | undefined): void {
    this.run('Revert', async () => {
      this.progress.begin('Pull', false, 'Reverting local changes…');
      await this.rescan();
      const reverted = await this.discardLocal(uris ? new Set(uris) : null);
      await this.rescan();
      this.progress.end(`Reverted ${reverted} local change(s).`);
    });
  }

  scanNow(): void {
    this.run('Scan', async () => {
      await this.rescan();
      await this.refreshRemote();
    });
  }

  /** Keep Local: the local file stays and becomes a local change. Take Remote: the server's version replaces it. */
  async resolve(uri: string, keep: 'Local' | 'Remote'): Promise<void> {
    const conflict = this.view.conflicts.find((c) => c.uri === uri);
    this.assertOpen();
    if (!conflict) fail('NOT_IN_CONFLICT', `${uri} is not in conflict`);
    if (this.busy) fail('BUSY', `${this.path} is busy`);
    // Marked busy like any operation, so no pull records a newer conflict while the remote version is written.
    const work = (async () => {
      if (keep === 'Remote' && conflict) await applyChange(this.target, conflict.remote);
      this.store.removeConflict(this.path, uri);
      this.view = { ...this.view, conflicts: this.store.conflicts(this.path) };
      await this.rescan();
    })();
    this.busy = work;
    try {
      await work;
      this.logger.info({ workspace: this.path, uri, keep }, 'conflict resolved');
    } finally {
      this.busy = null;
      this.changed('assets');
      if (this.pullAgain) {
        this.pullAgain = false;
        this.autoPull();
      }
    }
  }
}
