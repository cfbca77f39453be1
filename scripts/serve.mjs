// npm run serve -- [options] (`--help` lists them: main/web/options.ts): rebuilds app/dist when it is missing or older
// than its sources (scripts/build-freshness.mjs), then runs the browser host (main/web/main.ts) with the same
// arguments. Signals are passed on, so Ctrl+C stops the host, its engine and its services.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';
import { ensureBuilt } from './build-freshness.mjs';

// The host's own option table answers --help and refuses a wrong option before anything is built (tsx: it is .ts).
const { parseCommandLine } = await tsImport('../services/lib/command-line.ts', import.meta.url);
const { WEB_HOST_COMMAND } = await tsImport('../main/web/options.ts', import.meta.url);
parseCommandLine(WEB_HOST_COMMAND, process.argv.slice(2));

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureBuilt(root, 'serve');

const host = spawn(process.execPath, [path.join(root, 'app/dist/main/web.mjs'), ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => host.kill(signal));
host.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
