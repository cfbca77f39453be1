/**
 * Every peer's subscription prefixes in one radix tree, so that routing a message walks its topic once, whatever the
 * number of peers (libzmq keeps its subscriptions in a trie for the same reason). Asking each of 500 peers whether one
 * of its prefixes matches cost the WebSocket hub 70 % of its time at a show of 500 machines.
 *
 * Edges are keyed by their label's first character; a node holds the subscribers whose prefix ends there. Removing
 * the last subscriber of a leaf prunes the leaf and any parent left without subscribers or edges, so the tree holds
 * what the peers hold now, not every prefix ever sent.
 */

interface Node<T> {
  subscribers: Set<T> | null;
  edges: Map<string, Edge<T>> | null;
}

interface Edge<T> {
  label: string;
  node: Node<T>;
}

const node = <T>(): Node<T> => ({ subscribers: null, edges: null });

export class PrefixIndex<T> {
  private readonly root: Node<T> = node();

  add(prefix: string, subscriber: T): void {
    let at = this.root;
    let i = 0;
    while (i < prefix.length) {
      const first = prefix[i] as string;
      const edge = at.edges?.get(first);
      if (!edge) {
        const leaf = node<T>();
        (at.edges ??= new Map()).set(first, { label: prefix.slice(i), node: leaf });
        at = leaf;
        break;
      }
      let k = 1;
      while (k < edge.label.length && i + k < prefix.length && edge.label[k] === prefix[i + k]) k++;
      if (k < edge.label.length) {
        // The prefix parts from the edge inside its label: split the edge there.
        const middle: Node<T> = { subscribers: null, edges: new Map([[edge.label[k] as string, { label: edge.label.slice(k), node: edge.node }]]) };
        edge.label = edge.label.slice(0, k);
        edge.node = middle;
      }
      at = edge.node;
      i += k;
    }
    (at.subscribers ??= new Set()).add(subscriber);
  }

  remove(prefix: string, subscriber: T): void {
    const path: Array<{ parent: Node<T>; first: string }> = [];
    let at = this.root;
    let i = 0;
    while (i < prefix.length) {
      const first = prefix[i] as string;
      const edge = at.edges?.get(first);
      if (!edge || !prefix.startsWith(edge.label, i)) return;
      path.push({ parent: at, first });
      at = edge.node;
      i += edge.label.length;
    }
    if (!at.subscribers?.delete(subscriber)) return;
    if (at.subscribers.size === 0) at.subscribers = null;
    // Prune what is left holding nothing, up towards the root.
    for (let step = path.pop(); step && at.subscribers === null && at.edges === null; step = path.pop()) {
      const { parent, first } = step;
      parent.edges?.delete(first);
      if (parent.edges?.size === 0) parent.edges = null;
      at = parent;
    }
  }

  /** Each subscriber with a prefix that `topic` starts with, once. */
  match(topic: string): Set<T> {
    const out = new Set<T>();
    let at = this.root;
    let i = 0;
    for (;;) {
      if (at.subscribers) for (const s of at.subscribers) out.add(s);
      if (i >= topic.length) return out;
      const edge = at.edges?.get(topic[i] as string);
      if (!edge || !topic.startsWith(edge.label, i)) return out;
      at = edge.node;
      i += edge.label.length;
    }
  }

  /** Nodes in the tree (the root included): what the tree costs, for tests. */
  get size(): number {
    let n = 0;
    const stack: Node<T>[] = [this.root];
    for (let at = stack.pop(); at; at = stack.pop()) {
      n++;
      for (const edge of at.edges?.values() ?? []) stack.push(edge.node);
    }
    return n;
  }
}
