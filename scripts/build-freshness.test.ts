// The rebuild check of `npm start` and `npm run serve`: a throwaway project whose scripts/build.mjs is a stand-in that
// stamps the sources with the real module (and counts its runs), so every case runs the real check and a real build
// process without rebuilding this project under the other tests' feet.
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildProblem, ensureBuilt } from './build-freshness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const moduleUrl = pathToFileURL(path.join(here, 'build-freshness.mjs')).href;
let root = '';
const builds = () => readFileSync(path.join(root, 'builds.log'), 'utf8').split('\n').filter(Boolean).length;
const file = (relative: string, text = 'x') => {
  mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
  writeFileSync(path.join(root, relative), text);
};
const check = () => ensureBuilt(root, 'test');

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'freshness-'));
  for (const source of ['renderer/index.html', 'renderer/src/App.tsx', 'main/web/host.ts', 'shared/result.ts', 'peer/index.ts', 'services/cli.ts', 'vite.config.ts', 'package.json', 'tsconfig.node.json']) file(source);
  file('builds.log', '');
  file(
    'scripts/build.mjs',
    `import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OUTPUTS, clearBuildStamp, sourceFingerprint, writeBuildStamp } from ${JSON.stringify(moduleUrl)};
const root = process.cwd();
clearBuildStamp(root);
const sources = sourceFingerprint(root);
for (const out of OUTPUTS) { mkdirSync(path.dirname(out), { recursive: true }); writeFileSync(out, ''); }
appendFileSync('builds.log', 'built\\n');
writeBuildStamp(root, sources);
`,
  );
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

describe('ensureBuilt', () => {
  it('builds when the output is missing, then not again while nothing changed', () => {
    expect(buildProblem(root)).toMatch(/is missing/);
    expect(check().rebuilt).toBe(true);
    expect(builds()).toBe(1);
    const again = check();
    expect(again.rebuilt).toBe(false);
    expect(again.checkMs).toBeLessThan(1_000);
    expect(builds()).toBe(1);
  });

  it('rebuilds after a source file is touched, even backwards in time, and names it', () => {
    const host = path.join(root, 'main/web/host.ts');
    const later = new Date(Date.now() + 5_000);
    utimesSync(host, later, later);
    expect(buildProblem(root)).toBe('main/web/host.ts changed since the last build');
    expect(check().rebuilt).toBe(true);
    expect(builds()).toBe(2);
    const earlier = new Date(Date.now() - 86_400_000);
    utimesSync(host, earlier, earlier);
    expect(check().rebuilt).toBe(true);
    expect(builds()).toBe(3);
    expect(check().rebuilt).toBe(false);
  });

  it('rebuilds for a new or deleted source and a changed config, not for a new test file', () => {
    file('peer/added.ts');
    expect(buildProblem(root)).toBe('peer/added.ts changed since the last build');
    check();
    rmSync(path.join(root, 'peer/added.ts'));
    expect(buildProblem(root)).toBe('peer/added.ts changed since the last build');
    check();
    appendFileSync(path.join(root, 'tsconfig.node.json'), ' ');
    expect(buildProblem(root)).toBe('tsconfig.node.json changed since the last build');
    check();
    file('main/web/host.test.ts');
    expect(buildProblem(root)).toBeNull();
  });

  it('rebuilds when the stamp is gone (a build that failed half-way leaves none)', () => {
    rmSync(path.join(root, 'app/dist/build-stamp.json'));
    expect(buildProblem(root)).toMatch(/build-stamp\.json is missing/);
    const before = builds();
    expect(check().rebuilt).toBe(true);
    expect(builds()).toBe(before + 1);
  });

  it('checks this project in well under a second', () => {
    const started = performance.now();
    buildProblem(path.resolve(here, '..'));
    const ms = performance.now() - started;
    console.info(`freshness check of this project: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(2_000);
  });
});
