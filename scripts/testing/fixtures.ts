/**
 * The project's fixtures (scripts/testing/fixtures/): examples from the documentation the product follows, kept in
 * the repository so that tests need nothing beside it. Each file is checked for its shape when loaded, so a broken
 * fixture fails with its name rather than deep inside a test.
 */
import assetFilters from './fixtures/asset-filters.json';
import relationshipFilters from './fixtures/relationship-filters.json';
import stateExamples from './fixtures/state-examples.json';

/** One JSON block of the state documentation. */
export interface StateExample {
  /** `Server` or `Client`. */
  service: 'Server' | 'Client';
  /** The state section: State, WorkspaceInfo, PersistentState or AssetInfo. */
  state: string;
  /** What the block is: `per-show state` / `per-machine state` (the state as described), or e.g. `Get topic`. */
  label: string;
  /** The block exactly as the documentation writes it, where it writes it on one line. */
  text?: string;
  json: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function examplesOf(file: string, data: unknown): string[] {
  if (!isObject(data) || !Array.isArray(data.examples) || !data.examples.every((e) => typeof e === 'string')) {
    throw new Error(`fixture ${file}: expected {"about", "examples": [string…]}`);
  }
  return [...data.examples];
}

function blocksOf(file: string, data: unknown): StateExample[] {
  if (!isObject(data) || !Array.isArray(data.blocks)) throw new Error(`fixture ${file}: expected {"about", "blocks": […]}`);
  return data.blocks.map((b: unknown, i): StateExample => {
    const ok = isObject(b) && (b.service === 'Server' || b.service === 'Client') && typeof b.state === 'string'
      && typeof b.label === 'string' && (b.text === undefined || typeof b.text === 'string') && 'json' in b;
    if (!ok) throw new Error(`fixture ${file}: block ${i} needs service (Server|Client), state, label, json and an optional text`);
    const block: StateExample = { service: b.service as StateExample['service'], state: b.state as string, label: b.label as string, json: b.json };
    return typeof b.text === 'string' ? { ...block, text: b.text } : block;
  });
}

/** Every JSON block of the state documentation, in its order. */
export const stateExampleBlocks = (): StateExample[] => blocksOf('state-examples.json', stateExamples);

/** The filter examples of the asset-sync documentation, in its order. */
export const assetFilterExamples = (): string[] => examplesOf('asset-filters.json', assetFilters);

/** The filter examples of the relationship-sync documentation, in its order. */
export const relationshipFilterExamples = (): string[] => examplesOf('relationship-filters.json', relationshipFilters);
