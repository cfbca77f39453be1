/**
 * Where the embedded services keep their data, for both hosts (Electron, the browser host): `<user data>/services`,
 * kept between runs, so the quick start's show survives Ctrl+C and a restart (the services reuse a folder as it is and
 * build the demo only where it is missing: services/demo.ts). A temporary folder only when asked (--ephemeral), removed
 * when the host stops; the browser host's explicit --data folder wins over both.
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runningOwner } from '../../services/lib/data-lock.ts';

/** The app's name: Electron's userData folder is named after package.json's productName, which this must match. */
export const APP_NAME = 'Asset Hub Panel';

/**
 * The platform's user-data folder for this app, as Electron names it (`app.getPath('userData')`), so that both hosts
 * keep their settings and the services' data side by side.
 */
export function defaultUserDataDir(platform: NodeJS.Platform = process.platform, env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_NAME);
}

/** The embedded services' folder inside a user-data folder. */
export const servicesDataDir = (userDataDir: string): string => path.join(path.resolve(userDataDir), 'services');

export interface DataFolder {
  dir: string;
  /** A temporary folder (--ephemeral), removed by `dispose`. */
  ephemeral: boolean;
  /** How the operator picks another folder on this host, for the "in use" error (e.g. "--user-data <dir>"). */
  elsewhere: string;
  /** Removes a temporary folder; a kept one stays. */
  dispose(): Promise<void>;
}

export interface DataFolderOptions {
  userDataDir: string;
  /** An explicit folder (the browser host's --data): kept, whatever it holds. */
  dataDir?: string;
  ephemeral?: boolean;
  elsewhere: string;
}

export function embeddedDataFolder(options: DataFolderOptions): DataFolder {
  if (options.ephemeral && options.dataDir !== undefined) throw new Error('--ephemeral makes a temporary data folder: it cannot be used with --data');
  if (options.ephemeral) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'asset-hub-panel-'));
    return { dir, ephemeral: true, elsewhere: options.elsewhere, dispose: () => rm(dir, { recursive: true, force: true }).catch(() => {}) };
  }
  const dir = options.dataDir === undefined ? servicesDataDir(options.userDataDir) : path.resolve(options.dataDir);
  return { dir, ephemeral: false, elsewhere: options.elsewhere, dispose: async () => {} };
}

/** The line a host prints before it starts the services: where their data is and whether it stays. */
export function dataFolderLine(folder: DataFolder): string {
  if (folder.ephemeral) return `the embedded services' data: ${folder.dir} (temporary, --ephemeral: removed when the panel stops)`;
  // The server's folder is the first thing the services create: without it the demo show is built now.
  const fresh = !existsSync(path.join(folder.dir, 'server'));
  return `the embedded services' data: ${folder.dir} (kept between runs; ${fresh ? 'new: the demo show is built in it now' : 'reused as it is'})`;
}

/** The service folders that hold a data-folder lock (services/lib/data-lock.ts): the server's and each client's. */
function lockedFolders(dir: string): string[] {
  let clients: string[] = [];
  try {
    clients = readdirSync(path.join(dir, 'clients')).map((name) => path.join(dir, 'clients', name));
  } catch {
    // No clients yet.
  }
  return [path.join(dir, 'server'), ...clients];
}

const inUse = (folder: DataFolder, pid: number | string): string =>
  `the data folder ${folder.dir} is in use by process ${pid} (another panel or the services run on it): stop that one, or start this one with ${folder.elsewhere}`;

/** One line when another running process holds the folder (checked before starting the services), else null. */
export function dataFolderBusy(folder: DataFolder): string | null {
  for (const locked of lockedFolders(folder.dir)) {
    const owner = runningOwner(locked);
    if (owner !== null) return inUse(folder, owner);
  }
  return null;
}

/** The services' own refusal (a start that raced another one past dataFolderBusy), as the same one line. */
export function dataFolderBusyIn(error: unknown, folder: DataFolder): string | null {
  const match = /is in use by process (\d+)/.exec(error instanceof Error ? error.message : String(error));
  return match?.[1] ? inUse(folder, match[1]) : null;
}
