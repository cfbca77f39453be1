import { matchesPrefix } from '../../shared/protocol/topic.ts';

/**
 * One peer's topic prefixes (ZeroMQ semantics: a message matches when its canonical topic starts with a prefix; the
 * empty prefix matches everything). A set, not a multiset: subscribing twice to a prefix and unsubscribing once
 * removes it, which is what a peer that re-sends its subscriptions after a hiccup expects.
 */
export class Subscriptions {
  private readonly prefixes = new Set<string>();

  add(prefixes: readonly string[]): void {
    for (const p of prefixes) this.prefixes.add(p);
  }

  remove(prefixes: readonly string[]): void {
    for (const p of prefixes) this.prefixes.delete(p);
  }

  /** True when any prefix matches, so a peer gets a message once however many of its prefixes match. */
  matches(canonicalTopic: string): boolean {
    for (const p of this.prefixes) if (matchesPrefix(canonicalTopic, p)) return true;
    return false;
  }

  get size(): number {
    return this.prefixes.size;
  }
}
