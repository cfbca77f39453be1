/**
 * The integrations that run, and Sets of the `Integrations` state that create, change and delete them (config.ts checks
 * what a Set may do). Every entry of a Set is checked before any is applied.
 */
import { randomUUID } from 'node:crypto';
import { integrationNameProblem, type TIntegrationConfig } from '../../../shared/assethub/integrations.ts';
import { decodeKey } from '../../../shared/protocol/dot.ts';
import type { CompiledFilter } from '../../../shared/rsql/filter.ts';
import { ServiceFailure, fail } from '../../lib/failure.ts';
import { checkConfig, resolveField, resolveInput } from './config.ts';
import type { Loaded, Pipeline } from './pipeline.ts';

export interface ConfigurationHooks {
  /** `it` was created or its configuration changed (and stored). */
  applied(it: Loaded): void;
  /** `name` is about to be deleted. */
  removing(name: string): void;
}

export class Configurations {
  /** The integrations that run, by name. */
  readonly loaded = new Map<string, Loaded>();

  constructor(private readonly p: Pipeline, private readonly hooks: ConfigurationHooks) {
    for (const row of p.db.integrations()) {
      try {
        // Stored before such names were refused: not run (its records stay in the database).
        const problem = integrationNameProblem(row.name);
        if (problem) throw new Error(problem);
        const { config, filter } = checkConfig(JSON.parse(row.config), this.repositories());
        this.loaded.set(row.name, { name: row.name, uid: row.uid, config, filter, lastDeliveryAt: row.lastDeliveryAt, lastError: row.lastError });
      } catch (error) {
        p.logger.error({ integration: row.name, err: error instanceof Error ? error.message : String(error) }, 'integration configuration no longer valid; it is not run');
      }
    }
  }

  /** The integration called `name`; UNKNOWN_INTEGRATION when there is none. */
  get(name: string): Loaded {
    const it = this.loaded.get(name);
    if (!it) throw new ServiceFailure('UNKNOWN_INTEGRATION', `no integration "${name}"`);
    return it;
  }

  /** A Set below `Integrations` (`path` without the state name). Throws ServiceFailure when refused; nothing changes then. */
  set(path: readonly string[], value: unknown): void {
    const repositories = this.repositories();
    if (path.length === 0) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('INVALID_PARAMS', 'Integrations: expected an object keyed by integration name');
      const plan: Array<() => void> = [];
      // Keys of the whole map arrive [dot]-encoded (see IntegrationEngine.wire()).
      for (const [key, input] of Object.entries(value as Record<string, unknown>)) plan.push(this.planEntry(decodeKey(key), input, repositories));
      for (const apply of plan) apply();
      return;
    }
    const [name, ...rest] = path as [string, ...string[]];
    if (rest.length === 0) {
      this.planEntry(name, value, repositories)();
      return;
    }
    const it = this.get(name);
    const checked = checkConfig(resolveField(name, it.config, rest, value), repositories);
    this.apply(name, checked.config, checked.filter);
  }

  private repositories(): Set<string> {
    return new Set(this.p.store.repositories().map((r) => r.name));
  }

  /** Checks a Set of one entry and returns what applies it. */
  private planEntry(name: string, input: unknown, repositories: ReadonlySet<string>): () => void {
    const problem = integrationNameProblem(name);
    if (problem !== null) fail('INVALID_PARAMS', problem);
    if (input === null) {
      this.get(name);
      return () => this.remove(name);
    }
    const current = this.loaded.get(name)?.config ?? null;
    const checked = checkConfig(resolveInput(name, current, input), repositories);
    return () => this.apply(name, checked.config, checked.filter);
  }

  private apply(name: string, config: TIntegrationConfig, filter: CompiledFilter): void {
    const { db, store, branches } = this.p;
    const previous = this.loaded.get(name);
    const it: Loaded = previous
      ? { ...previous, config, filter }
      : { name, uid: randomUUID(), config, filter, lastDeliveryAt: null, lastError: null };
    const followedBefore = previous ? new Set(branches.followed(previous.config).map((f) => f.repository.name)) : new Set<string>();
    db.transaction(() => {
      db.putIntegration({ name, uid: it.uid, config: JSON.stringify(config), createdAt: new Date(this.p.now()).toISOString() });
      // A newly followed branch starts at its head: what it held before is for Sync all. Branches that appear later
      // (CreateBranch, CreateRepository) have no cursor and are queued from their start.
      for (const { repository, branch } of branches.followed(config)) {
        if (followedBefore.has(repository.name)) continue;
        db.putCursor(name, { repository: repository.name, branch: branch.name, position: store.head(branch.id).position, target: null, after: null });
      }
    });
    this.loaded.set(name, it);
    this.p.logger.info({ integration: name, created: !previous }, previous ? 'integration changed' : 'integration created');
    this.hooks.applied(it);
  }

  private remove(name: string): void {
    this.hooks.removing(name);
    this.p.db.deleteIntegration(name);
    this.loaded.delete(name);
    this.p.logger.info({ integration: name }, 'integration deleted');
  }
}
