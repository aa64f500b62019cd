// @ts-check
/**
 * `npm test`: transpiles the guest test programs (built by ci.sh or by hand,
 * see README.md) and runs them on Node worker_threads and in headless
 * Chromium, then the failure cases. One line per program per runtime; exit
 * status 1 on any failure. `node test/run.js NAME...` runs only those
 * programs; `--node` or `--chromium` picks one runtime.
 */
import { bundle } from '../bin/bundle.js';
import { transpileAll } from './build.js';
import { chromiumSuite } from './chromium.js';
import { existsSync } from 'node:fs';
import { nodeSuite } from './node.js';
import { wasmDir } from './programs.js';

const primesBuilt = existsSync(`${wasmDir}/primes.wasm`);

const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('--'));
const runtimes = args.includes('--node') ? ['node'] : args.includes('--chromium') ? ['chromium'] : ['node', 'chromium'];

const t0 = Date.now();
// The browser bundles (dist/), fresh from src/.
await bundle();
const programs = await transpileAll();
console.log(`transpiled ${programs.length} component test programs with jco`);
/** @type {string[]} */
let failed = [];
let total = 0;
for (const rt of runtimes) {
  const before = failed.length;
  try {
    failed = failed.concat(rt === 'node' ? await nodeSuite(only) : await chromiumSuite(only));
  } catch (e) {
    console.log(`FAIL ${rt} suite: ${e instanceof Error ? e.stack : e}`);
    failed.push(`${rt} suite`);
  }
  total += (only.length || programs.length) + (only.length ? 0 : rt === 'node' ? 5 : 6 + (primesBuilt ? 1 : 0));
  if (failed.length > before) console.log(`${rt}: ${failed.length - before} failed`);
}
console.log(`browser-shim: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
if (failed.length) console.log(`failed: ${failed.join(', ')}`);
console.log(`${total - failed.length} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
