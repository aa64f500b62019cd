#!/usr/bin/env node
// @ts-check
/**
 * Builds the browser bundles into dist/ (run by `npm ci` as `prepare`, and
 * by the tests and benchmarks before they use them):
 *
 * - dist/index.js: the runtime a page imports (src/index.js and everything
 *   it imports, one file);
 * - dist/pool-worker.js: the worker script, with preview2-shim's browser
 *   build inside, used when no `shimUrl` is given.
 *
 * A page that loads src/ instead fetches ~20 modules in a waterfall of
 * import levels, and each worker does the same again before it can run a
 * task: on the measured machine the bundles bring the first task result
 * from ~360-410 ms to ~165-220 ms after navigation (README, Performance). Node uses
 * src/ (modules load from disk there).
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Builds both bundles; resolves when they are written. */
export async function bundle() {
  mkdirSync(`${root}/dist`, { recursive: true });
  /** @type {import('esbuild').BuildOptions} */
  const common = {
    absWorkingDir: root,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // platform.js imports node: modules only when it runs in Node.
    external: ['node:*'],
    // src/index.js reads this: the worker has preview2-shim inside.
    define: { 'globalThis.PORTALIS_THREADING_BUNDLED': 'true' },
    // Less to fetch and parse on every page load and in every worker;
    // the source maps beside them keep stack traces readable.
    minify: true,
    sourcemap: 'linked',
    legalComments: 'eof',
    logLevel: 'warning',
  };
  await Promise.all([
    build({ ...common, entryPoints: ['src/index.js'], outfile: 'dist/index.js' }),
    build({ ...common, entryPoints: ['src/pool-worker.js'], outfile: 'dist/pool-worker.js' }),
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundle();
}
