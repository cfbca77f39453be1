// Every command line, run as a real process: `--help` exits 0 and lists every option its parser accepts (read from
// the same table), and an unknown option exits 2 with one line on stderr naming it, before anything starts.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DATA_HUB_COMMAND } from '../services/datahub/index.ts';
import { CLIENT_COMMAND, RECEIVER_COMMAND, SERVER_COMMAND, SERVICES_COMMAND } from '../services/commands.ts';
import type { CommandSpec } from '../services/lib/command-line.ts';
import { START_COMMAND } from '../main/electron/options.ts';
import { WEB_HOST_COMMAND } from '../main/web/options.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TSX = ['--import', 'tsx'];

interface Case {
  title: string;
  argv: string[];
  command: CommandSpec;
  /** A few options named literally, so that a table emptied by mistake cannot pass. */
  literal: string[];
}

const cases: Case[] = [
  { title: 'npm run services (services/cli.ts)', argv: [...TSX, 'services/cli.ts'], command: SERVICES_COMMAND, literal: ['--data <dir>', '--fabric ws|zmq', '--demo', '--allow-root', '--compat pixotope-docs'] },
  { title: 'the Data Hub (services/datahub/main.ts)', argv: [...TSX, 'services/datahub/main.ts'], command: DATA_HUB_COMMAND, literal: ['--port <port>', '--sub-port', '--tls-cert'] },
  { title: 'the demo receiver (services/receiver/main.ts)', argv: [...TSX, 'services/receiver/main.ts'], command: RECEIVER_COMMAND, literal: ['--secret <secret>', '--rule <json>'] },
  { title: 'the AssetHubServer (services/server/main.ts)', argv: [...TSX, 'services/server/main.ts'], command: SERVER_COMMAND, literal: ['--data <dir>', '--storage-host'] },
  { title: 'the AssetHubClient (services/client/main.ts)', argv: [...TSX, 'services/client/main.ts'], command: CLIENT_COMMAND, literal: ['--machine <name>', '--allow-root'] },
  { title: 'npm run serve (scripts/serve.mjs)', argv: ['scripts/serve.mjs'], command: WEB_HOST_COMMAND, literal: ['--hub ws://host:port|zmq://host', '--local-hub', '--verbose'] },
  { title: 'the browser host (main/web/main.ts)', argv: [...TSX, 'main/web/main.ts'], command: WEB_HOST_COMMAND, literal: ['--user-data <dir>', '--hub-ca'] },
  { title: 'npm start (scripts/start.mjs)', argv: ['scripts/start.mjs'], command: START_COMMAND, literal: ['--hub ws://host:port|zmq://host', '--data <dir>', '--verbose'] },
];

function run(argv: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, argv, { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe.each(cases)('$title', ({ argv, command, literal }) => {
  it('--help exits 0 and lists every option of its table', async () => {
    const { code, stdout, stderr } = await run([...argv, '--help']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: /);
    const names = Object.keys(command.options);
    expect(names.length).toBeGreaterThan(0);
    for (const name of [...names, 'help']) expect(stdout).toMatch(new RegExp(`--${name}(?=[\\s])`));
    for (const text of literal) expect(stdout).toContain(text);
  });

  it('--bogus exits 2 with one line naming it', async () => {
    const { code, stdout, stderr } = await run([...argv, '--bogus']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('--bogus');
    expect(lines[0]).toMatch(new RegExp(`^${command.name}: unknown option --bogus`));
  });
});

describe('npm run services --compat', () => {
  const services = [...TSX, 'services/cli.ts', '--data', path.join(root, 'test-results', 'never-started')];

  it.each([
    { args: ['--compat', 'pixotope'], line: /^services: --compat takes "pixotope-docs", not "pixotope"/ },
    { args: ['--compat', 'pixotope-docs', '--demo'], line: /^--demo builds the show with Calls Pixotope does not document, so it cannot run with --compat/ },
  ])('$args exits 2 with one line, before anything starts', async ({ args, line }) => {
    const { code, stdout, stderr } = await run([...services, ...args]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });
});

describe('npm run services, refused at start for a reason the operator can fix', () => {
  it.each([
    { title: 'beyond loopback without a token', args: (_dir: string) => ['--host', '0.0.0.0'], line: /^DataHub: refusing to listen on 0\.0\.0\.0 without a token/ },
    { title: 'on a data folder another process holds', args: (dir: string) => ['--port', '0', '--data', path.join(dir, 'held')], line: /server is in use by process 1; stop it first or use another --data folder$/ },
  ])('$title: exit 2 and one line on stderr, no stack', async ({ args, line }) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'assethub-refused-'));
    try {
      // pid 1 is alive and was not started when the file says: the folder is in use.
      await mkdir(path.join(dir, 'held', 'server'), { recursive: true });
      await writeFile(path.join(dir, 'held', 'server', 'owner.pid'), '1\n');
      const { code, stderr } = await run([...TSX, 'services/cli.ts', '--data', dir, ...args(dir)]);
      expect(code).toBe(2);
      const lines = stderr.trimEnd().split('\n');
      expect(lines, stderr).toHaveLength(1);
      expect(lines[0]).toMatch(line);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
