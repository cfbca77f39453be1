// npm run serve -- [--port <n>] [--hub zmq://host | ws://host:port] [--token <hub token>] [--data <dir> | --ephemeral]
// [--fabric ws|zmq] [--user-data <dir>] [--verbose]: rebuilds app/dist when it is missing or older than its sources
// (scripts/build-freshness.mjs), then runs the browser host (main/web/main.ts) with the same arguments. Signals are
// passed on, so Ctrl+C stops the host, its engine and its services.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './build-freshness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
ensureBuilt(root, 'serve');

const host = spawn(process.execPath, [path.join(root, 'app/dist/main/web.mjs'), ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => host.kill(signal));
host.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
