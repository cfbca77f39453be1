import { matchesPrefix } from '../../shared/protocol/topic.ts';

/** Prefixes one peer may hold, and the longest one (a topic's canonical string is far shorter). */
export const MAX_PREFIXES_PER_PEER = 10_000;
export const MAX_PREFIX_CHARS = 8192;

/** Where the hub keeps every peer's prefixes for routing (prefix-index.ts); each change here is made there too. */
export interface PrefixMirror {
  add(prefix: string): void;
  remove(prefix: string): void;
}

/**
 * One peer's topic prefixes (ZeroMQ semantics: a message matches when its canonical topic starts with a prefix; the
 * empty prefix matches everything). A set, not a multiset: subscribing twice to a prefix and unsubscribing once
 * removes it, which is what a peer that re-sends its subscriptions after a hiccup expects.
 */
export class Subscriptions {
  private readonly prefixes = new Set<string>();
  private mirror: PrefixMirror | null = null;

  /** From now on keeps `mirror` in step, starting with the prefixes held now. */
  mirrorTo(mirror: PrefixMirror): void {
    this.mirror = mirror;
    for (const p of this.prefixes) mirror.add(p);
  }

  /** Takes every prefix back out of the mirror and stops keeping it in step (the peer left). */
  unmirror(): void {
    for (const p of this.prefixes) this.mirror?.remove(p);
    this.mirror = null;
  }

  /** Adds what fits; returns why the rest was refused, or null when all were added. */
  add(prefixes: readonly string[]): string | null {
    let tooLong = 0;
    let overLimit = 0;
    for (const p of prefixes) {
      if (p.length > MAX_PREFIX_CHARS) tooLong++;
      else if (this.prefixes.has(p)) continue;
      else if (this.prefixes.size >= MAX_PREFIXES_PER_PEER) overLimit++;
      else {
        this.prefixes.add(p);
        this.mirror?.add(p);
      }
    }
    if (tooLong === 0 && overLimit === 0) return null;
    const parts = [];
    if (tooLong > 0) parts.push(`${tooLong} prefix(es) over ${MAX_PREFIX_CHARS} characters`);
    if (overLimit > 0) parts.push(`${overLimit} prefix(es) past the limit of ${MAX_PREFIXES_PER_PEER} per peer`);
    return `Subscribe refused for ${parts.join(' and ')}`;
  }

  remove(prefixes: readonly string[]): void {
    for (const p of prefixes) if (this.prefixes.delete(p)) this.mirror?.remove(p);
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
