// Each folder's boundary rule must refuse an import that crosses it and pass one it allows, linted with the project's
// real config as if the code sat at the given path; and every source file of the tree must fall under some rule.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** `../` n times: an import relative to a case's own (virtual) file, which the repository's self-containment check would otherwise read from this file's folder. */
const up = (n: number): string => '../'.repeat(n);

const root = process.cwd();
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'local/boundaries' || m.ruleId === 'no-restricted-globals')
    .map((m) => m.message);
}

interface BoundaryOptions { area?: string; uncovered?: boolean }

async function boundaryOf(file: string): Promise<BoundaryOptions> {
  const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, [unknown, BoundaryOptions?]> } | undefined;
  return config?.rules?.['local/boundaries']?.[1] ?? { uncovered: true };
}

/** Each rule (the `area` of eslint.config.js): a file under it, an import it refuses (and why), an import it allows. */
const RULES: readonly (readonly [area: string, file: string, refused: string, why: RegExp, allowed: string])[] = [
  ['shared/', 'shared/protocol/x.ts', "import { x } from '../../main/hub/y.ts';", /shared\/ may not import main\/hub\/y\.ts/, "import { ok } from '../result.ts';"],
  ['peer/', 'peer/x.ts', "import { x } from '../services/lib/y.ts';", /peer\/ may not import services\/lib\/y\.ts/, "import { ok } from '../shared/result.ts';\nimport { a } from './backoff.ts';"],
  ['main/hub/', 'main/hub/x.ts', "import { x } from '../embedded/services.ts';", /main\/hub\/ may not import main\/embedded/, "import { HubPeer } from '../../peer/index.ts';\nimport pkg from '../../package.json' with { type: 'json' };"],
  ['main/lib/', 'main/lib/x.ts', "import { x } from '../hub/index.ts';", /main\/lib\/ may not import main\/hub/, "import { ok } from '../../shared/result.ts';"],
  ['main/embedded/', 'main/embedded/x.ts', "import { x } from '../web/host.ts';", /main\/embedded\/ may not import main\/web/, "import { x } from '../hub/index.ts';\nimport { y } from '../../services/lib/data-lock.ts';"],
  ['main/web/', 'main/web/x.ts', "import { x } from '../electron/main.ts';", /main\/web\/ may not import main\/electron/, "import { serveStatic } from '../lib/static-files.ts';\nimport { x } from '../embedded/hub-choice.ts';"],
  ['main/electron/', 'main/electron/x.ts', "import { x } from '../web/host.ts';", /main\/electron\/ may not import main\/web\/host\.ts/, "import { app } from 'electron';\nimport { x } from '../lib/static-files.ts';"],
  ['services/lib/', 'services/lib/x.ts', "import { x } from '../server/server.ts';", /services\/lib\/ may not import services\/server/, "import { HubPeer } from '../../peer/index.ts';\nimport { x } from './chunks/index.ts';"],
  // The crossings this rule was written to end: the client on the server's chunks and states, the server on the hub.
  ['services/*/', 'services/client/x.ts', "import { x } from '../server/chunks/index.ts';", /services\/client\/ may not import services\/server\/chunks\/index\.ts/, "import { x } from '../lib/chunks/index.ts';\nimport { y } from './files/index.ts';"],
  ['services/*/', 'services/server/x.ts', "import { isLoopbackHost } from '../datahub/auth.ts';", /services\/server\/ may not import services\/datahub/, "import { x } from '../lib/loopback.ts';\nimport { y } from './chunks/index.ts';"],
  ['services/*/', 'services/receiver/x.ts', "import { x } from '../commands.ts';", /services\/receiver\/ may not import services\/commands\.ts/, "import { x } from './command.ts';"],
  ['services/ (the services command)', 'services/x.ts', "import { x } from '../main/hub/index.ts';", /services\/ \(the services command\) may not import main\/hub/, "import { x } from './server/server.ts';\nimport { y } from './client/client.ts';"],
  ['services/testing/', 'services/testing/x.ts', "import { x } from '../../main/hub/index.ts';", /services\/testing\/ may not import main\/hub/, "import { x } from '../server/server.ts';\nimport { y } from './wait.ts';"],
  ['renderer/src/api/', 'renderer/src/api/x.ts', "import { x } from '../store/panel.ts';", /renderer\/src\/api\/ may not import renderer\/src\/store/, "import { x } from './bridge.ts';"],
  ['renderer/src/store/', 'renderer/src/store/x.ts', "import { x } from '../lib/format.ts';", /renderer\/src\/store\/ may not import renderer\/src\/lib/, "import { x } from '../api/host.ts';"],
  ['renderer/src/lib/', 'renderer/src/lib/x.ts', "import { x } from '../components/Dot.tsx';", /renderer\/src\/lib\/ may not import renderer\/src\/components/, "import { x } from '../store/panel.ts';"],
  // Commands sit on the store and lib; nothing on screen.
  ['renderer/src/commands/', 'renderer/src/commands/x.ts', "import { x } from '../components/Modal.tsx';", /renderer\/src\/commands\/ may not import renderer\/src\/components/, "import { usePanel } from '../store/panel.ts';\nimport { x } from '../lib/format.ts';"],
  ['renderer/src/components/', 'renderer/src/components/x.tsx', "import { VIEWS } from '../views/registry.ts';", /renderer\/src\/components\/ may not import renderer\/src\/views/, "import { x } from '../lib/format.ts';"],
  // A view reaches neither a sibling view nor the shell.
  ['renderer/src/views/*/', 'renderer/src/views/assets/x.ts', "import { x } from '../repositories/RepositoriesView.tsx';", /renderer\/src\/views\/assets\/ may not import renderer\/src\/views\/repositories/, "import { x } from './model.ts';\nimport { y } from '../../lib/format.ts';"],
  ['renderer/src/views/*/', 'renderer/src/views/claims/x.ts', "import { x } from '../../shell/Shell.tsx';", /renderer\/src\/views\/claims\/ may not import renderer\/src\/shell/, "import { x } from '../../components/RepoName.tsx';"],
  ['renderer/src/views/ (the registry)', 'renderer/src/views/x.ts', "import { x } from '../shell/Shell.tsx';", /the registry\) may not import renderer\/src\/shell/, "import { x } from './assets/AssetsView.tsx';"],
  // The shell reaches views only through the registry.
  ['renderer/src/shell/', 'renderer/src/shell/x.ts', "import { x } from '../views/assets/AssetsView.tsx';", /renderer\/src\/shell\/ may not import renderer\/src\/views\/assets/, "import { VIEWS } from '../views/registry.ts';"],
  ['renderer/src/ (the app)', 'renderer/src/x.tsx', "import { VIEWS } from './views/registry.ts';", /the app\) may not import renderer\/src\/views/, "import { Shell } from './shell/Shell.tsx';\nimport './theme.css';"],
  ['bench/', 'bench/x.bench.ts', "import { x } from '../main/electron/main.ts';", /bench\/ may not import main\/electron/, "import { x } from '../services/testing/cluster.ts';\nimport { y } from '../main/hub/index.ts';"],
  ['e2e/', 'e2e/x.spec.ts', "import { x } from '../main/hub/index.ts';", /e2e\/ may not import main\/hub/, "import { x } from '../services/datahub/index.ts';\nimport { y } from './a11y.ts';"],
  ['scripts/', 'scripts/x.mjs', "import { x } from '../services/lib/log.ts';", /scripts\/ may not import services\/lib/, "import { x } from './build-freshness.mjs';"],
  ['the root configs', 'vite.config.ts', "import { x } from './services/lib/log.ts';", /the root configs may not import services\/lib/, "import { x } from './e2e/chromium.ts';"],
];

describe('import boundaries', () => {
  it.each(RULES)('%s (%s): refuses an import that crosses it', async (_area, file, refused, why) => {
    const errors = await boundaryErrors(file, refused);
    expect(errors.some((m) => why.test(m)), errors.join('\n') || 'no boundary error reported').toBe(true);
  });

  it.each(RULES)('%s (%s): passes an import it allows', async (_area, file, _refused, _why, allowed) => {
    expect(await boundaryErrors(file, allowed)).toEqual([]);
  });

  it.each([
    ['shared/protocol/x.ts', "import { readFileSync } from 'node:fs';", /shared\/ must not import the Node built-in "node:fs"/],
    ['shared/protocol/x.ts', "import path from 'path';", /Node built-in "path"/],
    ['shared/protocol/x.ts', "import { app } from 'electron';", /shared\/ must not import electron/],
    ['shared/protocol/x.ts', 'export const el = document.body;', /no DOM/],
    ['shared/protocol/x.ts', 'export const w = window.innerWidth;', /no DOM/],
    ['shared/protocol/x.ts', "import { x } from '../../peer/y.ts';", /shared\/ may not import peer\/y\.ts/],
    ['renderer/src/x.ts', "import { x } from '../../main/hub/y.ts';", /renderer\/src\/ \(the app\) may not import main\/hub/],
    ['renderer/src/views/log/x.ts', `import { x } from '${up(4)}services/datahub/y.ts';`, /may not import services\/datahub/],
    ['renderer/src/store/x.ts', "import os from 'node:os';", /renderer\/src\/store\/ must not import the Node built-in/],
    ['renderer/src/lib/x.ts', "const fs = require('fs');", /renderer\/src\/lib\/ must not import the Node built-in "fs"/],
    ['renderer/src/shell/x.ts', `import { x } from '${up(3)}peer/y.ts';`, /may not import peer\/y\.ts/],
    // What is on screen does not send by itself: a component gets its command from the view.
    ['renderer/src/components/x.tsx', "import { pull } from '../commands/index.ts';", /renderer\/src\/components\/ may not import renderer\/src\/commands/],
    ['main/hub/x.ts', "import { ipcMain } from 'electron';", /main\/hub\/ must not import electron/],
    ['main/hub/x.ts', "const e = await import('electron/main');", /main\/hub\/ must not import electron/],
    ['main/embedded/x.ts', "import { app } from 'electron';", /main\/embedded\/ must not import electron/],
    ['services/server/x.ts', "export { y } from '../../renderer/src/y.ts';", /services\/server\/ may not import renderer/],
    ['services/datahub/x.ts', "import { app } from 'electron';", /services\/datahub\/ must not import electron/],
    ['peer/x.ts', "import { app } from 'electron';", /peer\/ must not import electron/],
    // Relative imports stay inside the project.
    ['shared/x.ts', "import { x } from '../../shared/y.ts';", /shared\/ may not import from outside the project/],
    // Only tests, bench and e2e use the test support.
    ['services/server/x.ts', "import { tempDir } from '../testing/cluster.ts';", /may not import services\/testing\/cluster\.ts/],
    ['services/server/x.ts', "import { startChunkServer } from './chunks/testing/chunk-server.ts';", /services\/server\/ may not import the test support services\/server\/chunks\/testing\/chunk-server\.ts/],
    ['services/client/scan/x.ts', "import { tempRoot } from './testing/tree.ts';", /services\/client\/ may not import the test support services\/client\/scan\/testing\/tree\.ts/],
    ['services/server/x.ts', "import { x } from './integrations/testing/rig.ts';", /may not import the test support services\/server\/integrations\/testing\/rig\.ts/],
    ['renderer/src/views/assets/x.ts', "import { fake } from './testing/fake-panel.ts';", /may not import the test support renderer\/src\/views\/assets\/testing\/fake-panel\.ts/],
    ['shared/x.ts', "import { mutate } from '../scripts/testing/mutate.ts';", /shared\/ may not import scripts\/testing/],
    // Tests reach their folder's allow-list and their `tests` list, no more.
    ['services/server/x.test.ts', "import { x } from '../../renderer/src/App.tsx';", /services\/server\/ may not import renderer\/src\/App\.tsx/],
    ['services/server/chunks/testing/x.ts', `import { x } from '${up(4)}renderer/src/App.tsx';`, /services\/server\/ may not import renderer\/src\/App\.tsx/],
    ['renderer/src/views/assets/x.test.ts', "import { x } from '../claims/ClaimsView.tsx';", /renderer\/src\/views\/assets\/ may not import renderer\/src\/views\/claims/],
    ['shared/x.test.ts', "import { x } from '../services/lib/log.ts';", /shared\/ may not import services\/lib/],
    // A file in no folder with a rule.
    ['newfolder/x.ts', 'export const a = 1;', /newfolder\/x\.ts is in no folder with an import boundary/],
    ['services/newservice/x.ts', 'export const a = 1;', /services\/newservice\/x\.ts is in no folder with an import boundary/],
    ['main/newhost/x.ts', 'export const a = 1;', /is in no folder with an import boundary/],
  ])('%s: %s is an error', async (filePath, code, message) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors.some((m) => message.test(m)), errors.join('\n') || 'no boundary error reported').toBe(true);
  });

  it.each([
    ['shared/protocol/x.ts', "import { z } from 'zod';\nimport { ok } from '../result.ts';\nexport const a = [z, ok];"],
    ['renderer/src/views/log/x.ts', `import { ok } from '${up(4)}shared/result.ts';\nexport const a = [ok, document.title];`],
    ['services/server/x.ts', "import fs from 'node:fs';\nimport { ok } from '../../shared/result.ts';\nexport const a = [fs, ok];"],
    ['services/server/x.test.ts', "import { tempDir } from '../testing/cluster.ts';\nimport { startHub } from '../datahub/index.ts';\nimport { x } from '../../scripts/testing/mutate.ts';"],
    // Test helpers in a `testing/` folder reach what the tests beside them reach.
    ['services/client/files/testing/store-server.ts', `import { ChunkStore } from '${up(3)}server/chunks/index.ts';`],
    ['services/datahub/testing/x.ts', `import { HubPeer } from '${up(3)}peer/index.ts';\nimport { startServer } from '../../server/server.ts';\nimport { until } from '../../testing/wait.ts';`],
    ['services/server/catalogue/x.test.ts', "import { openTestStore } from './testing/catalogue.ts';\nimport { startChunkServer } from '../chunks/testing/chunk-server.ts';"],
    ['bench/x.bench.ts', "import { connectPeer } from '../services/datahub/testing/test-peer.ts';"],
    ['main/hub/x.test.ts', "import { startServer } from '../../services/server/server.ts';\nimport { until } from '../../services/testing/wait.ts';"],
    ['shared/x.test.ts', "import fs from 'node:fs';\nimport { fixture } from '../scripts/testing/fixtures.ts';"],
    ['renderer/src/views/claims/x.ts', "import { releaseClaim } from '../../commands/index.ts';\nexport const a = releaseClaim;"],
    ['renderer/src/shell/x.ts', "import { chooseHub } from '../commands/index.ts';\nexport const a = chooseHub;"],
    ['renderer/src/views/assets/x.test.ts', "import fs from 'node:fs';\nimport { x } from './model.ts';\nimport { y } from '../../store/panel.ts';"],
    ['scripts/x.test.ts', "import { x } from '../main/electron/options.ts';\nimport { y } from '../services/commands.ts';"],
  ])('%s: allowed imports pass', async (filePath, code) => {
    expect(await boundaryErrors(filePath, code)).toEqual([]);
  });
});

/** The project's source files, as ESLint would find them. */
function sourceFiles(dir = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) out.push(...sourceFiles(rel));
    else if (/\.(?:[cm]?js|[cm]?ts|tsx)$/.test(entry.name)) out.push(rel);
  }
  return out;
}

describe('the rules cover the tree', () => {
  it('puts every source folder under a rule, and every rule has its test above', async () => {
    const files = [];
    for (const file of sourceFiles()) if (!(await eslint.isPathIgnored(file))) files.push(file);
    const folders = new Set(files.map((f) => path.posix.dirname(f)));
    expect(folders.size).toBeGreaterThan(30);
    for (const dir of ['main/embedded', 'bench', 'e2e', 'scripts', 'services/server/chunks', 'renderer/src/views/assets', '.']) {
      expect(folders, dir).toContain(dir);
    }

    const uncovered: string[] = [];
    const areas = new Set<string>();
    for (const file of files) {
      const options = await boundaryOf(file);
      if (options.uncovered || options.area === undefined) uncovered.push(file);
      else areas.add(options.area);
    }
    expect(uncovered).toEqual([]);
    const tested = new Set(RULES.map(([area]) => area));
    expect([...areas].filter((a) => !tested.has(a))).toEqual([]);
  });
});
