import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The web console, bundled into dist/console, which the API serves at `/`. JSX is compiled by
 * Vite's own Oxc transform with React's automatic runtime. `#domain` is the pure domain library's
 * source: the console shares its vocabulary and limits instead of repeating them.
 */
export default defineConfig({
  root: at('.'),
  base: '/',
  publicDir: false,
  resolve: { alias: { '#domain': at('../../libs/domain/src/index.ts') } },
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: at('../../dist/console'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
    // The domain library is pure: the parts the console does not use (the decider, the calendars) are left out.
    rolldownOptions: { treeshake: { moduleSideEffects: [{ test: /\/libs\/domain\/src\//, sideEffects: false }] } },
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
