/**
 * Tells the client when a workspace may have changed, so it rescans then instead of polling. fs.watch with
 * `recursive: true` (native on Windows and macOS, emulated by Node ≥ 20 on Linux). Events are only hints: the scan
 * decides what changed, so a burst of writes becomes one call, and events for the client's own files (its
 * `.assethub/` folder, `*.assethub-tmp` files it writes during a pull) are dropped so a pull does not trigger a scan
 * of itself.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { silentLogger, type Logger } from '../../lib/log.ts';
import { isOwnPath } from './rules.ts';

export interface WatchOptions {
  /** Quiet time after the last event before `onChange` runs (default 300 ms). */
  debounceMs?: number;
  /** Longest an uninterrupted stream of events can delay `onChange` (default 5 s): a log file written every 100 ms
   * must not postpone the scan forever. */
  maxWaitMs?: number;
  logger?: Logger;
  /** Paths relative to the root (`/` separators) whose events do not matter, e.g. the scanner's ignore rules. */
  ignores?: (relative: string) => boolean;
  /** Called once if the watch ends by itself (root removed or replaced, watcher error); not after stop(). */
  onClosed?: (reason: Error) => void;
}

/** Starts watching; returns the stop function (idempotent). Throws if the watch cannot be set up at all. */
export function watchWorkspace(root: string, onChange: () => void, options: WatchOptions = {}): () => void {
  const { debounceMs = 300, maxWaitMs = 5_000, logger = silentLogger(), ignores, onClosed } = options;
  // Remembered so a root deleted and created again (a different folder the watch does not see) ends the watch.
  const rootIno = statSync(root, { bigint: true }).ino;
  let timer: NodeJS.Timeout | undefined;
  let burstStart = 0;
  let stopped = false;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    watcher.close();
  };

  const end = (reason: Error): void => {
    if (stopped) return;
    stop();
    logger.warn({ root, err: reason }, 'workspace watch stopped');
    onClosed?.(reason);
  };

  const flush = async (): Promise<void> => {
    timer = undefined;
    burstStart = 0;
    try {
      const s = await stat(root, { bigint: true });
      if (!s.isDirectory() || s.ino !== rootIno) return end(new Error(`${root} was replaced`));
    } catch (error) {
      return end(error instanceof Error ? error : new Error(String(error)));
    }
    if (stopped) return;
    try {
      onChange();
    } catch (error) {
      logger.error({ err: error, root }, 'workspace change handler failed');
    }
  };

  const relevant = (filename: string | null): boolean => {
    if (!filename) return true; // the root itself, or a platform that does not say
    const relative = filename.replaceAll('\\', '/');
    if (isOwnPath(relative)) return false;
    try {
      return !(ignores?.(relative) ?? false);
    } catch {
      return true; // a path the matcher refuses: let the scan look
    }
  };

  const watcher: FSWatcher = watch(root, { recursive: true }, (_event, filename) => {
    if (stopped || !relevant(filename)) return;
    const now = performance.now();
    if (burstStart === 0) burstStart = now;
    clearTimeout(timer);
    const wait = Math.min(debounceMs, Math.max(0, burstStart + maxWaitMs - now));
    timer = setTimeout(() => void flush(), wait);
  });
  watcher.on('error', (error) => end(error));
  return stop;
}
