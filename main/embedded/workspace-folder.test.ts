// "Open folder" on a workspace: the engine opens only a folder a client reports (main/hub/host-commands.ts), and
// the host only one on its own disk, only a folder (the desktop would run a file), only with an opener.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ServiceEntry } from '../../shared/panel/api.ts';
import type { PanelEngine } from '../hub/index.ts';
import { workspaceMachine } from '../hub/host-commands.ts';
import { HubChooser } from './hub-choice.ts';
import type { FolderOpener } from './open-folder.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'ws-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function chooser(openFolder: FolderOpener | null): HubChooser {
  const engine = { attachHost() {}, hostChanged() {} } as unknown as PanelEngine;
  return new HubChooser({
    engine,
    embedded: { fabric: 'ws' },
    dataFolder: { dir: path.join(root, 'data'), ephemeral: false, elsewhere: '--user-data <dir>', dispose: async () => {} },
    openFolder,
    remember: () => ({ remembered: false, note: null }),
    localHub: null,
    say() {},
    warn() {},
  });
}

function recorder(): FolderOpener & { opened: string[] } {
  const opened: string[] = [];
  return { description: 'a recorder', opened, open: async (dir) => void opened.push(dir) };
}

describe('the host opens a workspace folder', () => {
  const folder = path.join(root, 'Synced Storage', 'Projects', 'Show');
  mkdirSync(folder, { recursive: true });
  const file = path.join(root, 'run-me.sh');
  writeFileSync(file, '#!/bin/sh\n');

  it("on this machine's disk, whatever the case of its name", async () => {
    const opener = recorder();
    const host = chooser(opener);
    expect(host.info().folders).toEqual({ opensWith: 'a recorder', machines: [os.hostname()] });
    await host.openWorkspaceFolder(os.hostname().toUpperCase(), folder);
    // Behind a symlink, the folder it really is.
    symlinkSync(folder, path.join(root, 'link-to-show'));
    await host.openWorkspaceFolder(os.hostname(), path.join(root, 'link-to-show'));
    expect(opener.opened).toEqual([folder, folder]);
  });

  it('refuses another machine, a file, a missing or relative path, and a host with no opener', async () => {
    const opener = recorder();
    const host = chooser(opener);
    await expect(host.openWorkspaceFolder('STAGE-Z', folder)).rejects.toThrow(/STAGE-Z is another machine: .*copy the path/);
    await expect(host.openWorkspaceFolder(os.hostname(), file)).rejects.toThrow(`${file} is not a folder`);
    await expect(host.openWorkspaceFolder(os.hostname(), path.join(root, 'gone'))).rejects.toThrow('is not on this disk');
    await expect(host.openWorkspaceFolder(os.hostname(), 'Projects/Show')).rejects.toThrow('is not an absolute path');
    // Network and device paths are refused before anything looks at them (a stat alone would reach the other machine).
    for (const remote of ['\\\\attacker\\share', '//attacker/share', '\\\\?\\C:\\x', '\\\\.\\pipe\\x']) {
      await expect(host.openWorkspaceFolder(os.hostname(), remote)).rejects.toThrow('is a network or device path');
    }
    // A folder a desktop would run, even behind a symlink.
    const bundle = path.join(root, 'Tool.app');
    mkdirSync(bundle, { recursive: true });
    symlinkSync(bundle, path.join(root, 'innocent'));
    await expect(host.openWorkspaceFolder(os.hostname(), path.join(root, 'innocent'))).rejects.toThrow('is an application bundle');
    expect(opener.opened).toEqual([]);
    const none = chooser(null);
    expect(none.info().folders).toBeNull();
    await expect(none.openWorkspaceFolder(os.hostname(), folder)).rejects.toThrow('cannot open folders');
  });
});

describe('the engine names the machine of a workspace its client reports', () => {
  const client: ServiceEntry = { name: 'STAGE-A-AssetHubClient', kind: 'client', machine: 'STAGE-A', online: true, lastSeen: 0, version: null, startedAt: null, error: null, offer: null };
  const persistent = { Workspaces: Object.assign(Object.create(null) as Record<string, unknown>, { '/show/ws': { Name: '/show/ws' } }) };

  it('only for a reported workspace of a known client', () => {
    expect(workspaceMachine(client, persistent, client.name, '/show/ws')).toBe('STAGE-A');
    expect(() => workspaceMachine(client, persistent, client.name, '/etc')).toThrow('reports no workspace /etc');
    expect(() => workspaceMachine(client, persistent, client.name, '__proto__')).toThrow('reports no workspace');
    expect(() => workspaceMachine(client, undefined, client.name, '/show/ws')).toThrow('reports no workspace');
    expect(() => workspaceMachine(undefined, persistent, 'X-AssetHubClient', '/show/ws')).toThrow('not an AssetHubClient');
    expect(() => workspaceMachine({ ...client, kind: 'server' }, persistent, 'AssetHubServer', '/show/ws')).toThrow('not an AssetHubClient');
  });
});
