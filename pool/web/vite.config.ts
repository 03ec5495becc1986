// The miners' dashboard: a Vite build of plain TypeScript + uPlot into dist/web, which the share
// processor's HTTP API serves (pool/src/api/dashboard.ts). Everything is bundled: no CDN, no web fonts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 200,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
