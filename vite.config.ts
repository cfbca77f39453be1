// Renderer build: React app from renderer/ into app/dist/renderer, with relative asset paths so both the Electron
// custom protocol and the browser host can serve it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    // Absolute, from this file: a relative outDir would be read from `root` (renderer/).
    outDir: fileURLToPath(new URL('app/dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
