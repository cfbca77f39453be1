/**
 * Reads the source documents in ../shared/seeds (or ASSETHUB_SEEDS) so tests check the product against the seeds'
 * own text, not against copies of it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SEEDS_DIR = path.resolve(process.env.ASSETHUB_SEEDS ?? path.join(projectRoot, '../shared/seeds'));

/** The text of the seed whose file name starts with `prefix` (e.g. "002"). */
export function readSeed(prefix: string): string {
  if (!existsSync(SEEDS_DIR)) {
    throw new Error(`seed folder ${SEEDS_DIR} is missing: the project expects ../shared/seeds beside it (or set ASSETHUB_SEEDS)`);
  }
  const file = readdirSync(SEEDS_DIR).find((f) => f.startsWith(`${prefix}_`));
  if (!file) throw new Error(`no seed ${prefix}_* in ${SEEDS_DIR}`);
  return readFileSync(path.join(SEEDS_DIR, file), 'utf8');
}

export interface SeedBlock {
  /** `Server` or `Client`. */
  service: 'Server' | 'Client';
  /** The state section: State, WorkspaceInfo, PersistentState or AssetInfo. */
  state: string;
  /** The line before the JSON, e.g. `Get topic` or `The server has the following per-show state:`. */
  label: string;
  /** The JSON text as written in the seed. */
  text: string;
  json: unknown;
}

const SECTIONS = new Set(['State', 'WorkspaceInfo', 'PersistentState', 'AssetInfo']);

/** Index just past the JSON value that starts at `from` (brace matching outside strings), or -1. */
function jsonEnd(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** Every JSON block of seed 002, labelled with its service, state section and the line that introduces it. */
export function seed002Blocks(): SeedBlock[] {
  const text = readSeed('002');
  const lines = text.split('\n');
  const blocks: SeedBlock[] = [];
  let service: SeedBlock['service'] | null = null;
  let state: string | null = null;
  let label = '';
  let offset = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    const lineStart = offset;
    offset += (lines[i] ?? '').length + 1;
    if (line === 'Server' || line === 'Client') service = line;
    else if (SECTIONS.has(line)) state = line;
    else if (line.startsWith('{') && service && state) {
      const end = jsonEnd(text, lineStart + (lines[i] ?? '').indexOf('{'));
      if (end < 0) throw new Error(`seed 002: unterminated JSON at line ${i + 1}`);
      const blockText = text.slice(lineStart + (lines[i] ?? '').indexOf('{'), end);
      blocks.push({ service, state, label, text: blockText, json: JSON.parse(blockText) });
      // Skip the lines the block spans.
      while (offset < end && i + 1 < lines.length) offset += (lines[++i] ?? '').length + 1;
    } else if (line.length > 0) label = line;
  }
  return blocks;
}

/** The `example: …` filters of a seed, in order. */
export function seedExamples(prefix: string): string[] {
  return readSeed(prefix)
    .split('\n')
    .filter((l) => l.startsWith('example: '))
    .map((l) => l.slice('example: '.length).trim());
}
