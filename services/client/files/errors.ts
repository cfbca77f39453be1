/** The failures of the workspace file layer that callers are expected to tell apart. */

/** A URI or path the client refuses to touch: it could reach outside the workspace or go through a symlink. */
export class UnsafePathError extends Error {
  readonly uri: string;
  constructor(uri: string, reason: string) {
    super(`refusing ${JSON.stringify(uri)}: ${reason}`);
    this.name = 'UnsafePathError';
    this.uri = uri;
  }
}

/** Downloaded or copied bytes do not hash to what the commit says; nothing was written to the target. */
export class IntegrityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntegrityError';
  }
}

/** The workspace holds something of the other kind where a file or a folder should go (e.g. a folder at a file's path). */
export class PathConflictError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.name = 'PathConflictError';
    this.path = path;
  }
}
