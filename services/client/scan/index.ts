/** The AssetHubClient's view of a workspace on disk: scan, watch, and the local changes against a commit. */
export { localChanges, type BaseEntry } from './changes.ts';
export { DEFAULT_IGNORES, PXIGNORE } from './rules.ts';
export { RACY_NS, WorkspaceScanner, type WorkspaceScannerOptions } from './scanner.ts';
export type { LocalChange, ReadFile, ScanEntry, ScanOptions, ScanResult, ScanStats } from './types.ts';
export { watchWorkspace, type WatchOptions } from './watch.ts';
