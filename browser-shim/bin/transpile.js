// @ts-check
/** jco's `transpile --instantiation async`, through its API, skipping up-to-date output. */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { transpile as jcoTranspile } from '@bytecodealliance/jco';
import { stripDebugSections } from './strip-debug.js';

/**
 * Transpiles `wasm` into `outDir` as `<name>.js` and its core modules,
 * without their DWARF unless `keepDebug` (see strip-debug.js).
 * @param {string} wasm @param {string} outDir @param {string} name
 * @param {{ keepDebug?: boolean }} [options]
 */
export async function transpileFile(wasm, outDir, name, { keepDebug = false } = {}) {
  const js = `${outDir}/${name}.js`;
  if (existsSync(js) && statSync(js).mtimeMs >= statSync(wasm).mtimeMs) return js;
  const { files } = await jcoTranspile(readFileSync(wasm), {
    name,
    instantiation: 'async',
    noTypescript: true,
    quiet: true,
  });
  for (const [file, bytes] of Object.entries(files)) {
    const path = `${outDir}/${file}`;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.endsWith('.wasm') && !keepDebug ? stripDebugSections(bytes) : bytes);
  }
  return js;
}

