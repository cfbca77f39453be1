/**
 * Everything the AssetHubClient writes to or deletes from a workspace goes through here: nothing lands outside the
 * workspace, nothing goes through a symlink, and a crash never leaves a half-written asset at its path.
 */
export { IntegrityError, PathConflictError, UnsafePathError } from './errors.ts';
export { PRIVATE_DIR, resolveInWorkspace, workspaceTempDir } from './paths.ts';
export { ensureDirectory } from './directories.ts';
export { materializeFile, type MaterializeOptions, type MaterializeResult } from './materialize.ts';
export { cleanStaleTemp } from './cleanup.ts';
export { removeAsset, type RemoveResult } from './remove.ts';
export { writeFileAtomically, type WrittenFile } from './copy.ts';
