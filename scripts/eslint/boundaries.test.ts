// Each boundary rule must fire on a deliberate violation (and stay quiet on an allowed import), linted with the
// project's real config as if the code sat at the given path.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'local/boundaries' || m.ruleId === 'no-restricted-globals')
    .map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['shared/protocol/x.ts', "import { readFileSync } from 'node:fs';", /shared\/ must not import the Node built-in "node:fs"/],
    ['shared/protocol/x.ts', "import path from 'path';", /Node built-in "path"/],
    ['shared/protocol/x.ts', "import { app } from 'electron';", /shared\/ must not import electron/],
    ['shared/protocol/x.ts', 'export const el = document.body;', /no DOM/],
    ['shared/protocol/x.ts', 'export const w = window.innerWidth;', /no DOM/],
    ['shared/protocol/x.ts', "import { x } from '../../main/hub/y.ts';", /shared\/ must not import from main/],
    ['renderer/src/x.ts', "import { x } from '../../main/hub/y.ts';", /renderer\/ must not import from main/],
    ['renderer/src/x.ts', "import { x } from '../../services/datahub/y.ts';", /renderer\/ must not import from services/],
    ['renderer/src/x.ts', "import os from 'node:os';", /renderer\/ must not import the Node built-in/],
    ['renderer/src/x.ts', "const fs = require('fs');", /renderer\/ must not import the Node built-in "fs"/],
    ['main/hub/x.ts', "import { ipcMain } from 'electron';", /main\/hub\/ must not import electron/],
    ['main/hub/x.ts', "const e = await import('electron/main');", /main\/hub\/ must not import electron/],
    ['services/server/x.ts', "import { x } from '../../main/hub/y.ts';", /services\/ must not import from main/],
    ['services/server/x.ts', "export { y } from '../../renderer/src/y.ts';", /services\/ must not import from renderer/],
    ['peer/x.ts', "import { x } from '../services/lib/y.ts';", /peer\/ must not import from services/],
    ['peer/x.ts', "import { x } from '../main/hub/y.ts';", /peer\/ must not import from main/],
    ['peer/x.ts', "import { app } from 'electron';", /peer\/ must not import electron/],
    ['shared/protocol/x.ts', "import { x } from '../../peer/y.ts';", /shared\/ must not import from peer/],
    ['renderer/src/x.ts', "import { x } from '../../peer/y.ts';", /renderer\/ must not import from peer/],
  ])('%s: %s is an error', async (filePath, code, message) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors.some((m) => message.test(m)), errors.join('\n') || 'no boundary error reported').toBe(true);
  });

  it.each([
    ['shared/protocol/x.ts', "import { z } from 'zod';\nimport { ok } from '../result.ts';\nexport const a = [z, ok];"],
    ['renderer/src/x.ts', "import { ok } from '../../shared/result.ts';\nexport const a = [ok, document.title];"],
    ['main/hub/x.ts', "import path from 'node:path';\nimport { ok } from '../../shared/result.ts';\nexport const a = [path, ok];"],
    ['main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;"],
    ['services/server/x.ts', "import fs from 'node:fs';\nimport { ok } from '../../shared/result.ts';\nexport const a = [fs, ok];"],
    ['peer/x.ts', "import os from 'node:os';\nimport { ok } from '../shared/result.ts';\nexport const a = [os, ok];"],
    ['main/hub/x.ts', "import { HubPeer } from '../../peer/index.ts';\nexport const a = HubPeer;"],
    ['services/lib/x.ts', "import { HubPeer } from '../../peer/index.ts';\nexport const a = HubPeer;"],
  ])('%s: allowed imports pass', async (filePath, code) => {
    expect(await boundaryErrors(filePath, code)).toEqual([]);
  });
});
