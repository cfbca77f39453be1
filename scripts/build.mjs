// npm run build: the renderer with Vite, then the Node and Electron bundles with esbuild, all into app/dist/; then the
// build stamp that `npm start` and `npm run serve` compare with the sources (scripts/build-freshness.mjs).
import { build as viteBuild } from 'vite';
import { build as esbuild } from 'esbuild';
import { clearBuildStamp, sourceFingerprint, writeBuildStamp } from './build-freshness.mjs';

// The sources as they are before building: one edited during the build makes the next start build again.
const root = process.cwd();
clearBuildStamp(root);
const sources = sourceFingerprint(root);

await viteBuild({ configFile: 'vite.config.ts', logLevel: 'warn' });

const common = { bundle: true, platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' };

/** ESM for Node: npm packages stay external and load from node_modules (node-sqlite3-wasm finds its .wasm there). */
const nodeEntries = [
  // The browser host (npm run serve, the e2e tests) and the services command it runs as its embedded services.
  ['main/web/main.ts', 'app/dist/main/web.mjs'],
  ['services/cli.ts', 'app/dist/services/cli.mjs'],
  // The integrations' delivery thread, started by the services bundle from beside it (services/server/integrations/sender.ts).
  ['services/server/integrations/sender.worker.ts', 'app/dist/services/sender.worker.mjs'],
  // The Data Hub's checker of large frames, started the same way (services/datahub/frame-check.ts).
  ['services/datahub/frame-check.worker.ts', 'app/dist/services/frame-check.worker.mjs'],
  // The AssetHubClient's scan threads: the walk and a first scan's reads (services/client/scan/threads.ts).
  ['services/client/scan/scan.worker.ts', 'app/dist/services/scan.worker.mjs'],
];
for (const [entry, outfile] of nodeEntries) {
  await esbuild({ ...common, entryPoints: [entry], outfile, format: 'esm', packages: 'external' });
}

// Electron main: CommonJS, npm packages external (inside app.asar); import.meta.url has no CJS equivalent built in.
await esbuild({
  ...common,
  entryPoints: ['main/electron/main.ts'],
  outfile: 'app/dist/main/electron.cjs',
  format: 'cjs',
  packages: 'external',
  external: ['electron'],
  banner: { js: 'const __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { 'import.meta.url': '__importMetaUrl' },
});
// The sandboxed preload may require only `electron`: everything else is bundled in.
await esbuild({ ...common, entryPoints: ['main/electron/preload.ts'], outfile: 'app/dist/main/preload.cjs', format: 'cjs', external: ['electron'], minify: true });

writeBuildStamp(root, sources);
console.log(`built the renderer and ${nodeEntries.length + 2} bundles into app/dist/`);
