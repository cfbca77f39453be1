// npm run build: the renderer with Vite, then main, preload and services with esbuild, all into app/dist/.
import { build as viteBuild } from 'vite';
import { build as esbuild } from 'esbuild';
import { existsSync } from 'node:fs';

await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });

/** Node entry points: [source, output]. Entries whose source does not exist yet are skipped. */
const nodeEntries = [['main/web/serve.ts', 'app/dist/main/serve.mjs']];

for (const [entry, outfile] of nodeEntries.filter(([entry]) => existsSync(entry))) {
  await esbuild({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}
console.log(`built renderer and ${nodeEntries.length} node bundle(s) into app/dist/`);
