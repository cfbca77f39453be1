import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { processStart } from '../../services/lib/data-lock.ts';
import { dataFolderBusy, dataFolderBusyIn, dataFolderLine, defaultUserDataDir, embeddedDataFolder, servicesDataDir } from './data-folder.ts';
import { desktopOpener } from './open-folder.ts';

const temp: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'data-folder-test-'));
  temp.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temp) rmSync(dir, { recursive: true, force: true });
});
const elsewhere = '--ephemeral, or another --user-data folder';

describe('the data folder', () => {
  it("is the platform's user-data folder for the app, as Electron names it", () => {
    expect(defaultUserDataDir('linux', {}, '/home/op')).toBe('/home/op/.config/Asset Hub Panel');
    expect(defaultUserDataDir('linux', { XDG_CONFIG_HOME: '/cfg' }, '/home/op')).toBe('/cfg/Asset Hub Panel');
    expect(defaultUserDataDir('darwin', {}, '/Users/op')).toBe('/Users/op/Library/Application Support/Asset Hub Panel');
    expect(defaultUserDataDir('win32', { APPDATA: 'C:\\Users\\op\\AppData\\Roaming' }, 'C:\\Users\\op')).toBe(path.join('C:\\Users\\op\\AppData\\Roaming', 'Asset Hub Panel'));
    expect(servicesDataDir('/home/op/.config/Asset Hub Panel')).toBe('/home/op/.config/Asset Hub Panel/services');
  });

  it('is kept under <user data>/services (or --data), temporary only with --ephemeral', async () => {
    const userData = tempDir();
    const kept = embeddedDataFolder({ userDataDir: userData, elsewhere });
    expect(kept).toMatchObject({ dir: path.join(userData, 'services'), ephemeral: false });
    expect(dataFolderLine(kept)).toBe(`the embedded services' data: ${kept.dir} (kept between runs; new: the demo show is built in it now)`);
    mkdirSync(path.join(kept.dir, 'server'), { recursive: true });
    expect(dataFolderLine(kept)).toBe(`the embedded services' data: ${kept.dir} (kept between runs; reused as it is)`);
    await kept.dispose();
    expect(existsSync(kept.dir)).toBe(true);
    expect(embeddedDataFolder({ userDataDir: userData, dataDir: 'rel', elsewhere }).dir).toBe(path.resolve('rel'));

    const ephemeral = embeddedDataFolder({ userDataDir: userData, ephemeral: true, elsewhere });
    expect(ephemeral.ephemeral).toBe(true);
    expect(path.dirname(ephemeral.dir)).toBe(path.resolve(os.tmpdir()));
    expect(dataFolderLine(ephemeral)).toMatch(/\(temporary, --ephemeral: removed when the panel stops\)$/);
    await ephemeral.dispose();
    expect(existsSync(ephemeral.dir)).toBe(false);
    expect(() => embeddedDataFolder({ userDataDir: userData, dataDir: '/d', ephemeral: true, elsewhere })).toThrow(/cannot be used with --data/);
  });

  it('is refused in one line while a live process holds the server or a client folder', async () => {
    const folder = embeddedDataFolder({ userDataDir: tempDir(), elsewhere });
    const client = path.join(folder.dir, 'clients', 'STAGE-A');
    mkdirSync(client, { recursive: true });
    expect(dataFolderBusy(folder)).toBeNull();
    writeFileSync(path.join(client, 'owner.pid'), '999999999\n');
    expect(dataFolderBusy(folder)).toBeNull();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      await new Promise((resolve) => sleeper.once('spawn', resolve));
      writeFileSync(path.join(client, 'owner.pid'), `${sleeper.pid}\n${processStart(sleeper.pid ?? 0) ?? ''}\n`);
      const busy = dataFolderBusy(folder);
      expect(busy).toBe(`the data folder ${folder.dir} is in use by process ${sleeper.pid} (another panel or the services run on it): stop that one, or start this one with ${elsewhere}`);
      expect(busy).not.toContain('\n');
    } finally {
      sleeper.kill('SIGKILL');
    }
    const raced = new Error(`the services ended (exit code 1) before they were ready; last output:\nDataDirInUse: ${client} is in use by process 4242; stop it first`);
    expect(dataFolderBusyIn(raced, folder)).toMatch(new RegExp(`^the data folder ${folder.dir} is in use by process 4242 `));
    expect(dataFolderBusyIn(new Error('port taken'), folder)).toBeNull();
  });
});

describe("the browser host's folder opener", () => {
  it('needs a desktop session and xdg-open on Linux; Explorer and the Finder elsewhere', () => {
    expect(desktopOpener('linux', { PATH: '/usr/bin' })).toBeNull();
    expect(desktopOpener('linux', { DISPLAY: ':0', PATH: tempDir() })).toBeNull();
    expect(desktopOpener('win32', {})?.description).toBe('Explorer on the machine running the panel host');
    expect(desktopOpener('darwin', {})?.description).toBe('the Finder on the machine running the panel host');
  });

  it('runs xdg-open with the folder, and reports its failure', async () => {
    const bin = tempDir();
    const record = path.join(bin, 'opened.txt');
    const script = path.join(bin, 'xdg-open');
    writeFileSync(script, `#!/bin/sh\nprintf '%s' "$1" > '${record}'\n`);
    chmodSync(script, 0o755);
    const opener = desktopOpener('linux', { WAYLAND_DISPLAY: 'wayland-0', PATH: bin });
    expect(opener?.description).toBe('the file manager on the machine running the panel host (xdg-open)');
    await opener?.open('/data/with space');
    expect(readFileSync(record, 'utf8')).toBe('/data/with space');
    writeFileSync(script, '#!/bin/sh\nexit 3\n');
    await expect(opener?.open('/data')).rejects.toThrow('xdg-open could not open /data (exit code 3)');
  });
});
