/**
 * Calls of docs/PROTOCOL.md §4: Params and Result schemas per Method, and the Failure codes. Methods documented by
 * Pixotope keep their documented shapes; the rest are this project's (listed in docs/PROTOCOL-EXTENSIONS.md).
 */
import { z } from 'zod';
import { Claim, ChangeType, Commit } from './states.ts';
import * as C from './catalogue.ts';
import * as I from './integrations.ts';
import { GetCapabilitiesResult } from './capabilities.ts';

const NonEmpty = z.string().min(1);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256');
/** Asset URIs start with `FileSystem:/` (docs/PROTOCOL.md §4). Path safety is checked where the URI meets a disk. */
export const AssetUri = z.string().startsWith('FileSystem:/', 'must start with "FileSystem:/"');

/**
 * A change inside a commit: PutFile carries its size, whole-file hash and ordered chunk hashes. `New` (as in the
 * states, docs/PROTOCOL.md §4) is set by the server in GetChanges results: the asset did not exist at `From`.
 */
export const CommitChange = z.object({
  Type: ChangeType,
  URI: AssetUri,
  Size: z.number().int().nonnegative().optional(),
  Hash: Sha256.optional(),
  Chunks: z.array(Sha256).optional(),
  New: z.boolean().optional(),
});

const RepoBranch = { Repository: NonEmpty, Branch: NonEmpty };
const Started = z.object({ Started: z.literal(true) });
const Nothing = z.object({});

export type TCommitChange = z.infer<typeof CommitChange>;

export const RepositoryEntry = z.object({
  Name: z.string(),
  Branches: z.array(z.object({ Name: z.string(), Commits: z.array(Commit) })),
});

/**
 * Changes a server holds staged (StageChanges) in all stages together: a push of up to this many files is one commit
 * whatever the size of one request; past it a client refuses the push (TOO_LARGE) before sending anything.
 */
export const MAX_STAGED_CHANGES = 250_000;

export const CALLS = {
  server: {
    Health: { params: Nothing, result: Nothing },
    GetCapabilities: { params: Nothing, result: GetCapabilitiesResult },
    GetStorage: { params: Nothing, result: z.object({ Url: z.string() }) },
    GetRepositories: { params: Nothing, result: z.array(RepositoryEntry) },
    CreateRepository: { params: z.object({ Name: NonEmpty, Branch: NonEmpty }), result: z.object({ Commit: z.string() }) },
    CreateBranch: {
      params: z.object({ Repository: NonEmpty, Name: NonEmpty, From: NonEmpty }),
      result: z.object({ Commit: z.string() }),
    },
    CreateCommit: {
      // `Stage`: the changes staged with StageChanges come first (docs/PROTOCOL-EXTENSIONS.md, "Large pushes").
      params: z.object({ ...RepoBranch, Parent: z.string().nullable(), Author: NonEmpty, Comment: z.string(), Changes: z.array(CommitChange), Stage: NonEmpty.max(64).optional() })
        .refine((p) => p.Changes.length > 0 || p.Stage !== undefined, { message: 'a commit needs Changes or a Stage', path: ['Changes'] }),
      result: z.object({ Commit: z.string() }),
    },
    StageChanges: {
      params: z.object({ ...RepoBranch, Stage: NonEmpty.max(64).optional(), Changes: z.array(CommitChange).min(1) }),
      result: z.object({ Stage: z.string(), Count: z.number().int().nonnegative() }),
    },
    GetChanges: {
      // In pages (docs/PROTOCOL-EXTENSIONS.md): `Next` is where the next page starts, sent back as `After`.
      params: z.object({ ...RepoBranch, From: z.string().nullable(), To: z.string().nullable().optional(), After: z.string().max(1024).optional() }),
      result: z.object({ Changes: z.array(CommitChange), Next: z.string().optional() }),
    },
    TagCommit: { params: z.object({ ...RepoBranch, Commit: NonEmpty, Tag: NonEmpty }), result: Nothing },
    UntagCommit: { params: z.object({ ...RepoBranch, Commit: NonEmpty, Tag: NonEmpty }), result: Nothing },
    Claim: {
      params: z.object({ ...RepoBranch, URI: AssetUri, Owner: NonEmpty, Force: z.boolean().optional() }),
      result: z.object({ Claims: z.array(Claim) }),
    },
    ReleaseClaim: {
      params: z.object({ ...RepoBranch, URI: AssetUri, Owner: NonEmpty, Force: z.boolean().optional() }),
      result: z.object({ Claims: z.array(Claim) }),
    },
    // Asset catalogue (docs/PROTOCOL.md §6)
    QueryAssets: { params: C.QueryAssetsParams, result: C.QueryAssetsResult },
    CountAssets: { params: C.CountAssetsParams, result: C.CountAssetsResult },
    QueryRelationships: { params: C.QueryRelationshipsParams, result: C.QueryRelationshipsResult },
    ExportAssets: { params: C.ExportAssetsParams, result: C.ExportAssetsResult },
    ImportAssets: { params: C.ImportAssetsParams, result: C.ImportAssetsResult },
    CheckFilter: { params: C.CheckFilterParams, result: C.CheckFilterResult },
    // Managed integrations (docs/PROTOCOL.md §5)
    QueryIntegrationAssets: { params: I.QueryIntegrationAssetsParams, result: I.QueryIntegrationAssetsResult },
    ResyncAssets: { params: I.ResyncAssetsParams, result: I.ResyncAssetsResult },
    SyncAllAssets: { params: I.SyncAllAssetsParams, result: I.SyncAllAssetsResult },
    CancelSync: { params: I.CancelSyncParams, result: I.CancelSyncResult },
  },
  client: {
    GetCapabilities: { params: Nothing, result: GetCapabilitiesResult },
    CreateWorkspace: {
      params: z.object({ ...RepoBranch, Path: NonEmpty.optional() }),
      result: z.object({ Workspace: z.string() }),
    },
    Pull: { params: z.object({ Workspace: NonEmpty, UpTo: NonEmpty.optional(), Force: z.boolean().optional() }), result: Started },
    Push: { params: z.object({ Workspace: NonEmpty, Comment: z.string(), URIs: z.array(AssetUri).optional() }), result: Started },
    Scan: { params: z.object({ Workspace: NonEmpty }), result: Started },
    RevertLocalChanges: { params: z.object({ Workspace: NonEmpty, URIs: z.array(AssetUri).optional() }), result: Started },
    ResolveConflict: {
      params: z.object({ Workspace: NonEmpty, URI: AssetUri, Keep: z.enum(['Local', 'Remote']) }),
      result: Nothing,
    },
    Claim: { params: z.object({ Workspace: NonEmpty, URI: AssetUri, Force: z.boolean().optional() }), result: z.object({ Claims: z.array(Claim) }) },
    ReleaseClaim: { params: z.object({ Workspace: NonEmpty, URI: AssetUri, Force: z.boolean().optional() }), result: z.object({ Claims: z.array(Claim) }) },
  },
} as const;

export type ServerMethod = keyof (typeof CALLS)['server'];
export type ClientMethod = keyof (typeof CALLS)['client'];
export type CallParams<K extends 'server' | 'client', M extends keyof (typeof CALLS)[K]> =
  (typeof CALLS)[K][M] extends { params: infer P extends z.ZodType } ? z.input<P> : never;
export type CallResultOf<K extends 'server' | 'client', M extends keyof (typeof CALLS)[K]> =
  (typeof CALLS)[K][M] extends { result: infer R extends z.ZodType } ? z.output<R> : never;

/** Failure codes: the first is documented by Pixotope, the rest are this project's. */
export const FAILURE_CODES = {
  REPOSITORY_ALREADY_EXISTS: 'a repository with that name already exists',
  NOT_AT_HEAD: 'the commit is not based on the branch head: pull first',
  CLAIMED_BY_OTHER: 'a changed asset is claimed by another owner',
  MISSING_CHUNKS: 'the server lacks chunks the commit refers to: upload them first',
  INVALID_PARAMS: 'the Params do not match the method',
  UNKNOWN_METHOD: 'the service has no such method',
  UNKNOWN_REPOSITORY: 'no such repository',
  UNKNOWN_BRANCH: 'no such branch',
  BRANCH_ALREADY_EXISTS: 'a branch with that name already exists',
  UNKNOWN_COMMIT: 'no such commit on that branch',
  UNKNOWN_WORKSPACE: 'no such workspace on this client',
  NOT_CLAIMED: 'the asset is not claimed',
  UNSAFE_PATH: 'the URI or path would resolve outside the workspace, or the workspace folder is not one the client allows',
  INVALID_NAME: 'a file, folder, repository or branch name that cannot exist on the operators\' machines (Windows)',
  BUSY: 'the workspace is already pulling or pushing',
  STORE_BUSY: 'the server is writing a large commit: try again when it has finished',
  OVERLOADED: 'the service has as many requests waiting as it takes: try again shortly',
  NOTHING_TO_PUSH: 'there are no local changes to push',
  NOT_IN_CONFLICT: 'the URI is not in conflict',
  SERVER_UNAVAILABLE: 'the server did not answer',
  TIMEOUT: 'no answer within the time limit',
  INTERNAL: 'the service failed unexpectedly',
  INVALID_FILTER: 'the RSQL filter uses a selector, operator or revision that is not supported',
  CURSOR_EXPIRED: 'the pagination cursor is older than 10 minutes (or not one of this query): query again',
  UNPROCESSABLE: 'the import document has invalid entries (listed in Errors); nothing was applied',
  UNKNOWN_ASSET: 'no such asset',
  UNKNOWN_INTEGRATION: 'no such integration',
  TOO_LARGE: 'the request is larger than the service takes: nothing was done',
  UNKNOWN_STAGE: 'no such stage of changes (forgotten after 10 minutes unused, or the server restarted): stage them again',
  INVALID_RESULT: 'the answering service sent a Result that does not match the method: nothing was taken from it',
} as const;
export type FailureCode = keyof typeof FAILURE_CODES;


/**
 * A CallResult's Result checked against its method's schema (any peer on the hub can answer a Call): the parsed
 * Result, or the issues. Services and methods this project does not know are passed through as they are.
 */
export function checkCallResult(kind: 'server' | 'client' | null, method: string, result: unknown): { ok: true; value: unknown } | { ok: false; issues: string } {
  if (kind === null) return { ok: true, value: result };
  const calls: Record<string, { result: z.ZodType }> = CALLS[kind];
  const spec = Object.prototype.hasOwnProperty.call(calls, method) ? calls[method] : undefined;
  if (!spec) return { ok: true, value: result };
  const parsed = spec.result.safeParse(result);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, issues: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(Result)'}: ${i.message}`).join('; ') };
}
