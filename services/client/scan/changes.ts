/**
 * LocalChanges (docs/PROTOCOL.md §4): what a push would send, from the files at the workspace's commit (`base`) and the
 * scan. Deletes come first, deepest first, so a folder is emptied before it goes (the server refuses to delete what it
 * no longer has); puts follow in URI order, which puts every folder before what it contains.
 */
import type { LocalChange, ScanEntry } from './types.ts';

export type BaseEntry = Pick<ScanEntry, 'kind' | 'hash'>;

const depth = (uri: string): number => {
  let n = 0;
  for (let i = uri.indexOf('/'); i !== -1; i = uri.indexOf('/', i + 1)) n++;
  return n;
};
const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function localChanges(base: ReadonlyMap<string, BaseEntry>, disk: ReadonlyMap<string, BaseEntry>): LocalChange[] {
  const deletes: string[] = [];
  const puts: LocalChange[] = [];
  for (const [uri, was] of base) {
    const now = disk.get(uri);
    // A kind switch (file ↔ folder) is a Delete plus a Put: the server keeps one kind per URI.
    if (now === undefined || now.kind !== was.kind) deletes.push(uri);
  }
  for (const [uri, now] of disk) {
    const was = base.get(uri);
    // After a Delete of the other kind, the Put creates the URI afresh: New.
    const isNew = was === undefined || was.kind !== now.kind;
    if (now.kind === 'directory') {
      if (isNew) puts.push({ Type: 'PutDirectory', URI: uri, New: true });
    } else if (isNew || was?.hash !== now.hash || now.hash === null) {
      puts.push({ Type: 'PutFile', URI: uri, New: isNew });
    }
  }
  deletes.sort((a, b) => depth(b) - depth(a) || byCodeUnit(a, b));
  puts.sort((a, b) => byCodeUnit(a.URI, b.URI));
  return [...deletes.map((URI): LocalChange => ({ Type: 'Delete', URI })), ...puts];
}
