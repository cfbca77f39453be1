// Renderer build: React app from renderer/ into app/dist/renderer, with relative asset paths so both the Electron
// custom protocol and the browser host can serve it.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../app/dist/renderer',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
