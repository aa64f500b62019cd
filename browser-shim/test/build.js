// @ts-check
/**
 * Transpiles each component test program with jco's API (as
 * `jco transpile --instantiation async`) into test/.build/<name>/,
 * skipping those already up to date.
 */
import { existsSync } from 'node:fs';
import { transpileFile } from '../bin/transpile.js';
import { buildDir, programs, wasmDir } from './programs.js';

/** @param {string} name */
export async function transpile(name) {
  const wasm = `${wasmDir}/${name}.wasm`;
  if (!existsSync(wasm)) {
    throw new Error(`${wasm} is missing: build the guest programs first (see browser-shim/ci.sh)`);
  }
  return transpileFile(wasm, `${buildDir}${name}`, name);
}

export async function transpileAll() {
  const out = [];
  for (const name of programs()) out.push({ name, js: await transpile(name) });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  const all = await transpileAll();
  console.log(`transpiled ${all.length} programs in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
