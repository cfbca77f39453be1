/**
 * Every change the server has for a range of a branch, read page after page (GetChanges answers a page at a time:
 * docs/PROTOCOL-EXTENSIONS.md), ordered as a workspace applies them: deletes deepest first, then puts by path, so a
 * folder is emptied before it goes and made before what it holds.
 */
import type { TCommitChange } from '../../shared/assethub/calls.ts';
import { fail } from '../lib/failure.ts';

export interface ChangesRange {
  Repository: string;
  Branch: string;
  From: string | null;
  To: string | null;
}

type Call = (method: 'GetChanges', params: Record<string, unknown>) => Promise<unknown>;

export async function fetchChanges(call: Call, range: ChangesRange): Promise<TCommitChange[]> {
  const deletes: TCommitChange[] = [];
  const puts: TCommitChange[] = [];
  let after: string | undefined;
  for (;;) {
    const page = (await call('GetChanges', { ...range, ...(after === undefined ? {} : { After: after }) })) as { Changes: TCommitChange[]; Next?: string };
    for (const change of page.Changes) (change.Type === 'Delete' ? deletes : puts).push(change);
    if (page.Next === undefined) break;
    // A server that names the same page again would keep this loop going for ever.
    if (page.Next === after) fail('INVALID_RESULT', 'the server answered GetChanges with the same page again');
    after = page.Next;
  }
  deletes.sort((a, b) => (a.URI < b.URI ? 1 : a.URI > b.URI ? -1 : 0));
  puts.sort((a, b) => (a.URI < b.URI ? -1 : a.URI > b.URI ? 1 : 0));
  return [...deletes, ...puts];
}
