/**
 * What the stages of the integrations pipeline share (changes → work queue → batches → delivery → settle; engine.ts
 * wires them): the database, the store and catalogue they read, the clock, and the branches an integration follows.
 */
import type { TIntegrationConfig } from '../../../shared/assethub/integrations.ts';
import type { CompiledFilter } from '../../../shared/rsql/filter.ts';
import type { Logger } from '../../lib/log.ts';
import type { Catalogue } from '../catalogue/index.ts';
import type { Branch, Repository, ServerStore } from '../store.ts';
import { cursorKey, type IntegrationsDb } from './db.ts';

/** An integration as it runs: its checked configuration and compiled Filter. */
export interface Loaded {
  name: string;
  uid: string;
  config: TIntegrationConfig;
  filter: CompiledFilter;
  lastDeliveryAt: string | null;
  lastError: string | null;
}

export interface Pipeline {
  db: IntegrationsDb;
  store: ServerStore;
  catalogue: Catalogue;
  logger: Logger;
  /** Clock for due times and attempt times (ms since the epoch). */
  now: () => number;
  branches: Branches;
  /** Records of `name` changed: its counts are stale, its worker may have work, panels should hear of it. */
  touched(name: string): void;
}

/** The branches integrations follow. */
export class Branches {
  /** By repository and name (branches are never renamed or removed). */
  private readonly cache = new Map<string, Branch>();

  constructor(private readonly store: ServerStore) {}

  follows(config: TIntegrationConfig, repository: string): boolean {
    return config.Repositories.length === 0 || config.Repositories.includes(repository);
  }

  /** Every branch of every repository the configuration follows. */
  followed(config: TIntegrationConfig): Array<{ repository: Repository; branch: Branch }> {
    const repos = config.Repositories.length === 0
      ? this.store.repositories()
      : this.store.repositories().filter((r) => config.Repositories.includes(r.name));
    return repos.flatMap((repository) => this.store.branches(repository.id).map((branch) => ({ repository, branch })));
  }

  branchOf(repository: string, branch: string): Branch | null {
    const key = cursorKey(repository, branch);
    const cached = this.cache.get(key);
    if (cached) return cached;
    try {
      const found = this.store.branch(repository, branch);
      this.cache.set(key, found);
      return found;
    } catch {
      return null;
    }
  }
}
