/**
 * What the browser host remembers between runs: the hub the operator chose (null: the embedded services), in
 * `<user data>/browser-host.json`, validated on every read. A missing or broken file means "nothing chosen". The hub
 * token is never stored here (the browser host has no key store): it comes from --token or ASSETHUB_TOKEN.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseHubAddress } from '../../shared/protocol/index.ts';

const File = z.object({
  hubUrl: z.string().refine((u) => parseHubAddress(u).ok, { message: 'not a hub address' }).nullable(),
});

export const settingsFile = (userDataDir: string): string => path.join(userDataDir, 'browser-host.json');

/** The remembered hub: its address, null when the operator chose the embedded services, undefined when nothing was chosen. */
export function loadHubChoice(file: string, warn: (line: string) => void): string | null | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = File.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data.hubUrl;
    warn(`${file} is not valid (${parsed.error.issues.map((i) => i.message).join('; ')}): using the defaults`);
  } catch (error) {
    warn(`${file} is not JSON (${error instanceof Error ? error.message : String(error)}): using the defaults`);
  }
  return undefined;
}

/** Writes atomically (temp file + rename); false (and a warning) when it cannot. */
export function saveHubChoice(file: string, hubUrl: string | null, warn: (line: string) => void): boolean {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify({ hubUrl }, null, 2)}\n`, { mode: 0o600 });
    renameSync(temp, file);
    return true;
  } catch (error) {
    warn(`cannot remember the hub in ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}
