import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));

// The composer counts segments with the server's own domain code (src/domain), so the
// bundle reaches one folder up; the dev server must be allowed to read it too.
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  server: {
    fs: { allow: [here, path.resolve(here, '../src/domain')] },
    proxy: { '/v1': 'http://127.0.0.1:3000', '/healthz': 'http://127.0.0.1:3000' },
  },
  build: {
    outDir: path.resolve(here, 'dist'),
    emptyOutDir: true,
    sourcemap: true,
    // The server's CSP is script-src 'self': everything must be a file, nothing inline.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
