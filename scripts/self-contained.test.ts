// The repository is self-contained: no file of it refers to a place outside it (a clone has nothing beside it).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { outsideReferences, projectFiles } from './testing/outside-references.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('outsideReferences', () => {
  const up = (n: number) => '../'.repeat(n);

  it('lets relative paths that stay inside the repository through', () => {
    expect(outsideReferences('shared/rsql/rsql.test.ts', `import { x } from '${up(2)}scripts/testing/fixtures.ts';`)).toEqual([]);
    expect(outsideReferences('docs/A.md', `see [the engine](${up(1)}main/hub/README.md)`)).toEqual([]);
  });

  it('flags a relative path that leaves the repository from its file\'s folder', () => {
    expect(outsideReferences('README.md', `read ${up(1)}elsewhere/notes`).map((r) => r.why)).toEqual([`${up(1)}elsewhere/notes leaves the repository`]);
    expect(outsideReferences('scripts/testing/x.ts', `path.join(root, '${up(3)}x')`)).toHaveLength(1);
    expect(outsideReferences('vite.config.ts', `outDir: '${up(1)}app/dist'`)).toHaveLength(1);
  });

  it('ignores `..` inside a path (test data for path checks), and names material that lived beside the repository', () => {
    expect(outsideReferences('a/b.test.ts', `[\`\${storage}/Projects/${up(3)}outside\`, 'FileSystem:/${up(2)}etc']`)).toEqual([]);
    const mention = ['ASSETHUB', 'SEEDS'].join('_');
    expect(outsideReferences('a.md', `set ${mention}`)).toMatchObject([{ file: 'a.md', line: 1, why: `names ${mention}` }]);
  });
});

describe('the repository', () => {
  it('refers to nothing outside itself', () => {
    const files = projectFiles(root).filter((f) => existsSync(path.join(root, f)));
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((file) => {
      const bytes = readFileSync(path.join(root, file));
      return bytes.includes(0) ? [] : outsideReferences(file, bytes.toString('utf8'));
    });
    expect(found.map((r) => `${r.file}:${r.line}: ${r.why}: ${r.text.slice(0, 160)}`)).toEqual([]);
  });
});
