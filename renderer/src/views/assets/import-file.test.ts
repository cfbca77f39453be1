// Reading an import file in the panel: JSON or the reason it is not, and a document larger than an import may be is
// refused here, with the way out, before anything is sent (the server would refuse it by its size).
import { expect, it } from 'vitest';
import { ASSET_DOCUMENT_MAX_BYTES } from '../../../../shared/assethub/catalogue.ts';
import { readImportFile } from './ImportExport.tsx';

const doc = (assets: unknown[]) => ({ format: 'assethub.assets', version: 1, repository: 'R', branch: 'Main', assets });
const file = (text: string) => new File([text], 'assets.json', { type: 'application/json' });

it('previews a document, counts its size compact (as it is sent), and refuses one over the bound with the way out', async () => {
  const small = doc([{ uri: 'FileSystem:/a.png', tags: ['x'] }]);
  expect(await readImportFile(file(JSON.stringify(small, null, 2)))).toEqual({ phase: 'preview', file: 'assets.json', document: small });
  // Indented past the bound, compact under it: sent as it is sent, it fits.
  const entries = (bytes: number) => Array.from({ length: Math.ceil(bytes / 1024) }, (_, i) => ({ uri: `FileSystem:/${i}.png`, tags: ['t'.repeat(980)] }));
  const fits = doc(entries(ASSET_DOCUMENT_MAX_BYTES - 64 * 1024));
  expect((await readImportFile(file(JSON.stringify(fits, null, 8)))).phase).toBe('preview');
  const over = await readImportFile(file(JSON.stringify(doc(entries(ASSET_DOCUMENT_MAX_BYTES + 256 * 1024)))));
  expect(over).toMatchObject({ phase: 'unreadable', message: expect.stringMatching(/an import takes at most 8\.0 MiB .*smaller documents/) });
  expect(await readImportFile(file('{ nope'))).toMatchObject({ phase: 'unreadable', message: expect.stringMatching(/^not valid JSON/) });
});
