/**
 * The eight documented states (docs/PROTOCOL.md §4): field names letter for letter. Values are read tolerantly where
 * the documentation disagrees with itself (Clients as object or array; `New` present or absent) and unknown fields are
 * dropped. They describe decoded Values: keys of Repositories / Clients / Workspaces arrive `[dot]`-encoded and are
 * decoded first (parseState does both).
 */
import { z } from 'zod';
import { dictFrom, nameRecord } from '../dict.ts';

/**
 * A map the documentation marks (Repositories, Clients, Workspaces): keyed by decoded name (see decodeValueKeys), read
 * into a prototype-free map (any name, `__proto__` included, is a plain key).
 */
const markedMap = <T extends z.ZodType>(value: T) => nameRecord(value);

export const Stage = z.enum(['Initiating', 'InProgress', 'Finalizing']);

/** Status of a service in respect to all active workspaces. */
export const ServiceStatus = z.object({
  Incoming: z.boolean(),
  Outcoming: z.boolean(),
  Activity: z.enum(['Idle', 'Sync']),
  Stage,
  Current: z.number(),
  Total: z.number(),
  Progress: z.number(),
});

/** When Running is false, the other fields are not provided. */
export const Engine = z.object({
  Running: z.boolean(),
  Type: z.enum(['Editor', 'PIE', 'Game']).optional(),
  Dirty: z.boolean().optional(),
  Workspace: z.string().optional(),
  Repository: z.string().optional(),
  Branch: z.string().optional(),
  AutoPull: z.boolean().optional(),
  Reload: z.boolean().optional(),
});

export const Commit = z.object({
  ID: z.string(),
  Author: z.string(),
  Comment: z.string(),
  CreatedAt: z.string(),
  Tags: z.array(z.string()),
});

export const Claim = z.object({ URI: z.string(), Owner: z.string(), CreatedAt: z.string() });

export const ChangeType = z.enum(['PutFile', 'PutDirectory', 'Delete']);
/** `New` only applies to PutFile / PutDirectory and is absent from the documentation's Update example. */
export const AssetChange = z.object({ Type: ChangeType, URI: z.string(), New: z.boolean().optional() });

// ---- AssetHubServer ----

export const ServerState = z.object({
  Repositories: markedMap(z.object({ AutoPull: z.boolean() })),
});

export const ClientSummary = z.object({
  Name: z.string(),
  Status: ServiceStatus,
  Engine: Engine.optional(),
});

/** Object keyed by client name (the state description) or an array (the Update example); read as the object. */
export const Clients = z
  .union([markedMap(ClientSummary), z.array(ClientSummary)])
  .transform((clients) => (Array.isArray(clients) ? dictFrom(clients.map((c) => [c.Name, c] as const)) : clients));

export const ServerWorkspaceInfo = z.object({ Status: ServiceStatus, Clients });

export const ServerPersistentState = z.object({
  Repositories: markedMap(
    z.object({ Name: z.string(), Branches: z.array(z.object({ Name: z.string(), Commits: z.array(Commit) })) }),
  ),
});

export const ServerAssetInfo = z.object({
  Repositories: markedMap(
    z.object({ Name: z.string(), Branches: z.array(z.object({ Name: z.string(), Claims: z.array(Claim) })) }),
  ),
});

// ---- <Machine>-AssetHubClient ----

export const ClientState = z.object({
  Workspaces: markedMap(z.object({ AutoPull: z.boolean() })),
});

export const WorkspaceStatus = z.object({
  Attached: z.boolean(),
  Incoming: z.boolean(),
  Outcoming: z.boolean(),
  Activity: z.enum(['Idle', 'Pull', 'Push']),
  Stage,
  Auto: z.boolean(),
  Current: z.number(),
  Total: z.number(),
  Progress: z.number(),
  Message: z.string(),
});

export const ClientWorkspaceEntry = z.object({ Name: z.string(), Active: z.boolean(), Status: WorkspaceStatus });

export const ClientWorkspaceInfo = z.object({
  Status: ServiceStatus,
  Engine,
  Workspaces: markedMap(ClientWorkspaceEntry),
});

export const ClientWorkspace = z.object({
  Name: z.string(),
  AbsolutePath: z.string(),
  DisplayPath: z.string(),
  Repository: z.string(),
  Branch: z.string(),
  Commit: z.string().nullable(),
  Commits: z.array(Commit).nullable(),
});

/** SyncedConfigPath is in the state description but missing from the Update example. */
export const ClientPersistentState = z.object({
  SyncedConfigPath: z.string().optional(),
  SyncedStoragePath: z.string(),
  SyncedCommonPath: z.string(),
  SyncedProjectsPath: z.string(),
  Workspaces: markedMap(ClientWorkspace),
});

export const WorkspaceAssets = z.object({
  Name: z.string(),
  Scan: z.boolean(),
  IgnoredURIs: z.array(z.string()),
  LocalChanges: z.array(AssetChange),
  RemoteChanges: z.array(AssetChange),
  ConflictURIs: z.array(z.string()),
  Claims: z.array(Claim),
});

export const ClientAssetInfo = z.object({ Workspaces: markedMap(WorkspaceAssets) });

// ---- lookup ----

export const STATE_NAMES = ['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo'] as const;
export type StateName = (typeof STATE_NAMES)[number];
export type ServiceKind = 'server' | 'client';

export const STATE_SCHEMAS = {
  server: { State: ServerState, WorkspaceInfo: ServerWorkspaceInfo, PersistentState: ServerPersistentState, AssetInfo: ServerAssetInfo },
  client: { State: ClientState, WorkspaceInfo: ClientWorkspaceInfo, PersistentState: ClientPersistentState, AssetInfo: ClientAssetInfo },
} as const;

/**
 * Parts of the large states that change on their own and may come as Updates of their path (the server sends one
 * client's entry of its WorkspaceInfo at a time): a field (`Status`) or one entry of a marked map (`Clients.<name>`).
 * A panel validates such an Update against the part's schema instead of the whole state again.
 */
export const PART_SCHEMAS = {
  server: { WorkspaceInfo: { fields: { Status: ServiceStatus }, entries: { Clients: ClientSummary } } },
  client: { WorkspaceInfo: { fields: { Status: ServiceStatus }, entries: { Workspaces: ClientWorkspaceEntry } } },
} as const;

export const isStateName = (name: string): name is StateName => (STATE_NAMES as readonly string[]).includes(name);

export type ServerStates = { [K in StateName]: z.infer<(typeof STATE_SCHEMAS)['server'][K]> };
export type ClientStates = { [K in StateName]: z.infer<(typeof STATE_SCHEMAS)['client'][K]> };

export type TStage = z.infer<typeof Stage>;
export type TServiceStatus = z.infer<typeof ServiceStatus>;
export type TEngine = z.infer<typeof Engine>;
export type TCommit = z.infer<typeof Commit>;
export type TClaim = z.infer<typeof Claim>;
export type TAssetChange = z.infer<typeof AssetChange>;
export type TClientSummary = z.infer<typeof ClientSummary>;
export type TWorkspaceStatus = z.infer<typeof WorkspaceStatus>;
export type TClientWorkspace = z.infer<typeof ClientWorkspace>;
export type TWorkspaceAssets = z.infer<typeof WorkspaceAssets>;
