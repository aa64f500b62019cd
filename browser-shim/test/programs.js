// @ts-check
/**
 * The guest test programs (tests/programs/src/bin) that run as components,
 * and what each should do: as host/tests/all/support.rs `expectation` says
 * for components with the default limits.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const programsDir = `${repoRoot}tests/programs/src/bin`;
export const targetDir = process.env.PORTALIS_SHIM_TARGET ?? '/root/.cache/portalis-threading/shim-target';
export const wasmDir = `${targetDir}/wasm32-wasip2/release`;
export const buildDir = fileURLToPath(new URL('./.build/', import.meta.url));

/** Whether `name` is a component program with the default limits. @param {string} name */
export function applies(name) {
  // std threads (and so the Python API's threads) need shared memory.
  if (['std_', 'python_', 'exit_'].some((p) => name.startsWith(p)) || name === 'bench_wasi_threads') return false;
  if (name.startsWith('limit_')) return false; // special host limits
  if (name === 'fault_duplicate_entry') return false; // refused by a host before it runs
  return true;
}

export function programs() {
  const names = readdirSync(programsDir)
    .filter((f) => f.endsWith('.rs'))
    .map((f) => f.slice(0, -3))
    .filter(applies)
    .sort();
  // examples/compose plugged together by ci.sh (`wac plug`): the app's and
  // the library's tasks must both reach their part on workers here too.
  if (existsSync(`${wasmDir}/compose.wasm`)) names.push('compose');
  return names;
}

/** Arguments a program gets (argv[0] is its name). @param {string} name */
export function argsFor(name) {
  if (name === 'compose') return [name, '100000'];
  return name.startsWith('bench_') ? [name, '--quick'] : [name];
}
