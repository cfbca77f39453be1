// npm run serve -- [options] (`--help` lists them: main/web/options.ts): builds app/dist when the browser host or the
// renderer is missing, then runs the browser host (main/web/main.ts) with the same arguments. Signals are passed on,
// so Ctrl+C stops the host, its engine and its services.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tsImport } from 'tsx/esm/api';

// The host's own option table answers --help and refuses a wrong option before anything is built (tsx: it is .ts).
const { parseCommandLine } = await tsImport('../services/lib/command-line.ts', import.meta.url);
const { WEB_HOST_COMMAND } = await tsImport('../main/web/options.ts', import.meta.url);
parseCommandLine(WEB_HOST_COMMAND, process.argv.slice(2));

const needed = ['app/dist/main/web.mjs', 'app/dist/services/cli.mjs', 'app/dist/renderer/index.html'];
if (needed.some((file) => !existsSync(file))) {
  console.log('serve: app/dist is missing or incomplete; building it first (npm run build)…');
  const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const host = spawn(process.execPath, ['app/dist/main/web.mjs', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => host.kill(signal));
host.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
