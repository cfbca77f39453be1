/** The shapes the workspace scanner hands to the rest of the AssetHubClient. */
import type { BigIntStats } from 'node:fs';

/** What the scan found at one URI. Directories have size 0 and no hash. */
export interface ScanEntry {
  kind: 'file' | 'directory';
  size: number;
  /** Lowercase hex SHA-256 of the file's bytes; null for directories. */
  hash: string | null;
}

export interface ScanStats {
  files: number;
  directories: number;
  /** Files whose bytes were read this scan (new, changed, or racy last time). */
  hashed: number;
  bytesHashed: number;
  /** Scan threads that read them (0: read on the client's own thread, as when only a few files changed). */
  readThreads: number;
  ms: number;
}

export interface ScanResult {
  /** Every synced file and directory, keyed by asset URI (`FileSystem:/a/b`). The root itself is not listed. */
  entries: Map<string, ScanEntry>;
  /** URIs not synced: ignore rules, symlinks, special files, non-portable names (AssetInfo's IgnoredURIs). Capped. */
  ignored: string[];
  /**
   * URIs that exist on disk but could not be read this scan (EACCES, EBUSY, ...), files or whole directories. They are
   * absent from `entries`, yet were not deleted: a caller must not turn them, or anything under them, into a Delete.
   */
  skipped: string[];
  stats: ScanStats;
}

export interface ScanOptions {
  /** Called now and then with the number of files done so far, and once at the end with the total. */
  onProgress?(files: number): void;
  /** Aborting stops the scan with the signal's reason; hashes computed so far are kept in the index. */
  signal?: AbortSignal;
  /**
   * Files whose stat changed are listed with a null hash and not read (nor indexed): for a caller that reads them
   * itself, as a push does, and gives the index what it read (`WorkspaceScanner.remember`).
   */
  deferReads?: boolean;
}

/** A file as a caller read it: its stat before the read (held until its end) and the SHA-256 of its bytes. */
export interface ReadFile {
  uri: string;
  stat: BigIntStats;
  hash: string;
}

/** One entry of AssetInfo's LocalChanges (docs/PROTOCOL.md §4). */
export interface LocalChange {
  Type: 'PutFile' | 'PutDirectory' | 'Delete';
  URI: string;
  New?: boolean;
}
