/**
 * "Open data folder" for the browser host. The host listens on 127.0.0.1 only, so its page runs on the host's own
 * machine: the platform's opener (explorer, open, xdg-open) shows the folder on that desktop. Without a desktop session
 * (a Linux host with no DISPLAY, or no xdg-open) there is no opener, and the panel offers only to copy the path.
 * The folder is always the host's own: the renderer never names a path.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export interface FolderOpener {
  /** How the folder is opened, in the operator's words (shown beside the button). */
  description: string;
  /** Opens `dir`; rejects with the reason when it could not. */
  open(dir: string): Promise<void>;
}

/** An executable called `name` on PATH, or null. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** An opener that waits for its exit: xdg-open and open end once they handed the folder over (0: done). */
const OPENER_WAIT_MS = 5_000;

function runOpener(command: string, dir: string, checkExit: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [dir], { stdio: 'ignore', detached: true, windowsHide: false });
    child.unref();
    child.once('error', (error) => reject(new Error(`${path.basename(command)} could not run: ${error.message}`)));
    // explorer.exe exits with 1 even when it opened the window: only its start counts.
    if (!checkExit) return void child.once('spawn', () => resolve());
    // Some xdg-open fallbacks wait for the file manager itself: still running after a while means it is open.
    const timer = setTimeout(resolve, OPENER_WAIT_MS);
    timer.unref();
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} could not open ${dir} (${signal ? `signal ${signal}` : `exit code ${code}`})`));
    });
  });
}

/** The opener of the machine the browser host runs on, or null when it has no desktop to open a folder in. */
export function desktopOpener(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env): FolderOpener | null {
  const where = 'on the machine running the panel host';
  if (platform === 'win32') return { description: `Explorer ${where}`, open: (dir) => runOpener('explorer.exe', dir, false) };
  if (platform === 'darwin') return { description: `the Finder ${where}`, open: (dir) => runOpener('open', dir, true) };
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return null;
  const xdgOpen = onPath('xdg-open', env);
  return xdgOpen ? { description: `the file manager ${where} (xdg-open)`, open: (dir) => runOpener(xdgOpen, dir, true) } : null;
}
