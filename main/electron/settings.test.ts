// settings.json: validated on read, defaults and a warning when corrupt, the token only ever stored encrypted.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canStoreToken, loadSettings, saveSettings, type TokenCrypto } from './settings.ts';

const sealed: TokenCrypto = {
  isEncryptionAvailable: () => true,
  getSelectedStorageBackend: () => 'kwallet5',
  encryptString: (text) => Buffer.from(`sealed:${text}`),
  decryptString: (data) => {
    const text = data.toString();
    if (!text.startsWith('sealed:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return text.slice('sealed:'.length);
  },
};
const unavailable: TokenCrypto = { ...sealed, isEncryptionAvailable: () => false };
const basicText: TokenCrypto = { ...sealed, getSelectedStorageBackend: () => 'basic_text' };

let dir: string;
let file: string;
let warnings: string[];
const warn = (w: string) => warnings.push(w);
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'panel-settings-'));
  file = path.join(dir, 'settings.json');
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('settings', () => {
  it('defaults without a file, silently', () => {
    expect(loadSettings(file, sealed, warn)).toEqual({ hubUrl: null, embeddedChosen: false, panelName: null, token: null, window: null });
    expect(warnings).toEqual([]);
  });

  it('round-trips hub URL, panel name, bounds and the encrypted token', () => {
    saveSettings(file, { hubUrl: 'wss://hub.example/', embeddedChosen: false, panelName: 'STAGE-A-AssetHubPanel', token: 'tok', window: { x: 1, y: 2, width: 1000, height: 700 } }, sealed, warn);
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(raw.tokenEncrypted).toBe(Buffer.from('sealed:tok').toString('base64'));
    expect(JSON.stringify(raw)).not.toContain('"tok"');
    expect(loadSettings(file, sealed, warn)).toEqual({ hubUrl: 'wss://hub.example/', embeddedChosen: false, panelName: 'STAGE-A-AssetHubPanel', token: 'tok', window: { x: 1, y: 2, width: 1000, height: 700 } });
    // A zmq:// hub is a hub address too; the embedded services chosen are written as "hubUrl": null and read back so.
    saveSettings(file, { hubUrl: 'zmq://STAGE-A', embeddedChosen: false, panelName: null, token: null, window: null }, sealed, warn);
    expect(loadSettings(file, sealed, warn)).toMatchObject({ hubUrl: 'zmq://STAGE-A', embeddedChosen: false });
    saveSettings(file, { hubUrl: null, embeddedChosen: true, panelName: null, token: null, window: null }, sealed, warn);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ hubUrl: null });
    expect(loadSettings(file, sealed, warn)).toMatchObject({ hubUrl: null, embeddedChosen: true });
    expect(warnings).toEqual([]);
  });

  it('does not store the token when OS encryption is unavailable, and says so', () => {
    for (const crypto of [unavailable, basicText]) {
      warnings = [];
      expect(canStoreToken(crypto)).toBe(false);
      saveSettings(file, { hubUrl: 'ws://h:1', embeddedChosen: false, panelName: 'P', token: 'tok', window: null }, crypto, warn);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, panelName: 'P', hubUrl: 'ws://h:1' });
      expect(warnings.join()).toMatch(/token was not stored: OS encryption/);
    }
  });

  it('falls back to defaults with a warning for corrupt or invalid files', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"hubUrl": ', /not valid JSON/],
      ['[]', /invalid/],
      [JSON.stringify({ hubUrl: 'http://not-a-hub/' }), /ws:\/\/ or wss:\/\//],
      [JSON.stringify({ window: { width: 5, height: 5 } }), /window\.width/],
      [JSON.stringify({ panelName: '../../etc' }), /panelName/],
      [JSON.stringify({ tokenEncrypted: '***' }), /tokenEncrypted/],
    ];
    for (const [text, expected] of cases) {
      warnings = [];
      writeFileSync(file, text);
      expect(loadSettings(file, sealed, warn)).toMatchObject({ hubUrl: null, token: null, window: null });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(expected);
    }
  });

  it('keeps the rest when the token cannot be decrypted', () => {
    writeFileSync(file, JSON.stringify({ hubUrl: 'ws://h:1', tokenEncrypted: Buffer.from('other key').toString('base64') }));
    expect(loadSettings(file, sealed, warn)).toMatchObject({ hubUrl: 'ws://h:1', token: null });
    expect(warnings.join()).toMatch(/cannot be decrypted/);
    warnings = [];
    writeFileSync(file, JSON.stringify({ hubUrl: 'ws://h:1', tokenEncrypted: Buffer.from('sealed:x').toString('base64') }));
    expect(loadSettings(file, unavailable, warn)).toMatchObject({ hubUrl: 'ws://h:1', token: null });
    expect(warnings.join()).toMatch(/OS encryption is unavailable/);
  });

  it('ignores unknown keys (an older or newer file still loads)', () => {
    writeFileSync(file, JSON.stringify({ hubUrl: 'ws://h:1', future: true }));
    expect(loadSettings(file, sealed, warn).hubUrl).toBe('ws://h:1');
    expect(warnings).toEqual([]);
  });
});
