// @ts-check
/** jco's `transpile --instantiation async`, through its API, skipping up-to-date output. */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { transpile as jcoTranspile } from '@bytecodealliance/jco';

/**
 * Transpiles `wasm` into `outDir` as `<name>.js` and its core modules.
 * @param {string} wasm @param {string} outDir @param {string} name
 */
export async function transpileFile(wasm, outDir, name) {
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
    writeFileSync(path, bytes);
  }
  return js;
}

