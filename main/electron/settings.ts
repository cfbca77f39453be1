/**
 * The panel's settings: `<userData>/settings.json`, validated with zod on every read. A missing file means defaults;
 * a corrupt or invalid one means defaults and a warning, never a crash. The hub token is only ever written encrypted
 * with the operating system's key store (Electron safeStorage, stored as base64); where that is unavailable the token
 * is not stored at all, and the operator is told so.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseHubAddress } from '../../shared/protocol/index.ts';

const Bounds = z.object({
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  width: z.number().int().min(320).max(16_384),
  height: z.number().int().min(240).max(16_384),
  maximized: z.boolean().optional(),
});
export type WindowBounds = z.infer<typeof Bounds>;

const HubUrl = z.string().refine((u) => parseHubAddress(u).ok, { message: 'the hub address must start with ws:// or wss:// (this project\'s hub) or zmq:// (a ZeroMQ Data Hub)' });

/** What settings.json holds on disk. Unknown keys are kept out (strip), so an old or newer file still loads. */
export const SettingsFile = z.object({
  version: z.literal(1).optional(),
  hubUrl: HubUrl.nullable().optional(),
  panelName: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'letters, digits, "-" and "_"').optional(),
  /** The hub token encrypted with safeStorage, base64. */
  tokenEncrypted: z.base64().optional(),
  window: Bounds.optional(),
});
export type SettingsFile = z.infer<typeof SettingsFile>;

/** The settings as the app uses them (token decrypted). */
export interface PanelSettings {
  /** The hub to connect to; null = start the embedded reference services and connect to them. */
  hubUrl: string | null;
  /** The operator chose the embedded services (stored as `"hubUrl": null`): no look for a Data Hub on this machine. */
  embeddedChosen: boolean;
  /** The panel's service name on the hub; null = the engine's default (`<host>-AssetHubPanel-<4 hex>`, unique per run). */
  panelName: string | null;
  token: string | null;
  window: WindowBounds | null;
}

/** The part of Electron's safeStorage the settings need (a parameter, so tests pass a fake). */
export interface TokenCrypto {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: 'basic_text' means no real key store (a hard-coded key), which counts as unavailable. */
  getSelectedStorageBackend?(): string;
}

export type Warn = (message: string) => void;

export function defaultSettings(): PanelSettings {
  return { hubUrl: null, embeddedChosen: false, panelName: null, token: null, window: null };
}

/** Whether tokens can be stored: OS encryption available and, on Linux, a real key store behind it. */
export function canStoreToken(crypto: TokenCrypto): boolean {
  try {
    if (!crypto.isEncryptionAvailable()) return false;
    return crypto.getSelectedStorageBackend?.() !== 'basic_text';
  } catch {
    return false;
  }
}

/** Reads and validates the settings file. Never throws. */
export function loadSettings(file: string, crypto: TokenCrypto, warn: Warn): PanelSettings {
  const settings = defaultSettings();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') warn(`settings: cannot read ${file} (${(error as Error).message}); using defaults`);
    return settings;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    warn(`settings: ${file} is not valid JSON (${(error as Error).message}); using defaults`);
    return settings;
  }
  const parsed = SettingsFile.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ');
    warn(`settings: ${file} is invalid (${issues}); using defaults`);
    return settings;
  }
  const data = parsed.data;
  settings.hubUrl = data.hubUrl ?? null;
  settings.embeddedChosen = data.hubUrl === null;
  if (data.panelName) settings.panelName = data.panelName;
  settings.window = data.window ?? null;
  if (data.tokenEncrypted) {
    if (!canStoreToken(crypto)) {
      warn('settings: a stored hub token cannot be decrypted because OS encryption is unavailable; connecting without it');
    } else {
      try {
        settings.token = crypto.decryptString(Buffer.from(data.tokenEncrypted, 'base64'));
      } catch (error) {
        warn(`settings: the stored hub token cannot be decrypted (${(error as Error).message}); connecting without it`);
      }
    }
  }
  return settings;
}

/**
 * Writes the settings atomically (temporary file, then rename). The token is encrypted; when OS encryption is
 * unavailable it is left out and `warn` says so. Never throws: a failed write is a warning.
 */
export function saveSettings(file: string, settings: PanelSettings, crypto: TokenCrypto, warn: Warn): void {
  const data: SettingsFile = { version: 1 };
  if (settings.panelName !== null) data.panelName = settings.panelName;
  if (settings.hubUrl !== null) data.hubUrl = settings.hubUrl;
  else if (settings.embeddedChosen) data.hubUrl = null;
  if (settings.window !== null) data.window = settings.window;
  if (settings.token) {
    if (canStoreToken(crypto)) {
      try {
        data.tokenEncrypted = crypto.encryptString(settings.token).toString('base64');
      } catch (error) {
        warn(`settings: the hub token was not stored: encryption failed (${(error as Error).message})`);
      }
    } else {
      warn('settings: the hub token was not stored: OS encryption (safeStorage) is unavailable on this machine; it is kept for this session only');
    }
  }
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, file);
  } catch (error) {
    warn(`settings: cannot write ${file} (${(error as Error).message})`);
  }
}
