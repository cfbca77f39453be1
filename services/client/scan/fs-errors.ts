/** File-system errors the scanner shrugs off: the tree changes under it while it reads, and the next scan catches up. */

export const errorCode = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

/** The entry is no longer there (or a folder on its path became a file): it is simply absent from this scan. */
export const isGone = (error: unknown): boolean => {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
};
