// @ts-check
/**
 * @portalis/threading-browser: `portalis:threading@0.1.0` for components
 * transpiled with `jco transpile --instantiation async`, on Web Workers
 * (browsers) or worker_threads (Node).
 *
 * ```js
 * import { createRuntime } from '@portalis/threading-browser';
 * const rt = await createRuntime({ component: new URL('./app/app.js', location.href) });
 * const { status } = await rt.runMain();
 * rt.terminate();
 * ```
 */
import { Broker } from './broker.js';
import { ThreadingError } from './errors.js';
import { threadingImports } from './interfaces/index.js';
import { hardwareParallelism, isNode } from './platform.js';

export { ThreadingError } from './errors.js';
export { threadingImports } from './interfaces/index.js';

/**
 * @typedef {object} RuntimeOptions
 * @property {string | URL} component  URL (or path, in Node) of the JS file `jco transpile --instantiation async` wrote
 * @property {number} [workers]  workers started ahead of time (default: the parallelism); more start on demand
 * @property {number} [maxWorkers]  workers alive at once: main, spawned and pool threads (default 64); past it `spawn` and `pool.new` get `error::limit`
 * @property {number} [parallelism]  what `available-parallelism` reports and `pool.new(0)` uses (default: the machine's)
 * @property {string[]} [args]  the program's arguments (`wasi:cli/environment`)
 * @property {Record<string, string>} [env]  its environment
 * @property {(fd: 1 | 2, bytes: Uint8Array) => void} [output]  stdout (1) and stderr (2) of every instance (default: process.stdout/stderr in Node, console in browsers)
 * @property {string | URL} [shimUrl]  `@bytecodealliance/preview2-shim`'s browser `index.js` (workers have no import maps)
 * @property {Record<string, WebAssembly.Module>} [coreModules]  the component's core modules, compiled (default: compiled once from the files beside `component`)
 */

/** @param {string | URL} u */
function toUrl(u) {
  if (u instanceof URL) return u;
  if (isNode && !/^[a-z]+:/i.test(u)) return new URL(`file://${u.startsWith('/') ? '' : process.cwd() + '/'}${u}`);
  return new URL(u, globalThis.location?.href);
}

/** Throws a clear error where shared memory (and so blocking in workers) is unavailable. */
export function checkIsolation() {
  if (!isNode && globalThis.crossOriginIsolated === false) {
    throw new Error(
      'portalis-threading: this page is not cross-origin isolated (crossOriginIsolated is false), so ' +
        'SharedArrayBuffer and Atomics.wait are unavailable to its workers. Serve it with the headers ' +
        '`Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`.',
    );
  }
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') {
    throw new Error('portalis-threading: SharedArrayBuffer or Atomics is unavailable in this runtime.');
  }
}

/** @param {URL} url */
async function fetchBytes(url) {
  if (url.protocol === 'file:') {
    const fs = await import('node:fs/promises');
    return new Uint8Array(await fs.readFile(url));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`portalis-threading: cannot load ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Compiles each core module the transpiled JS asks for, once. @param {URL} componentUrl */
export async function compileCoreModules(componentUrl) {
  /** @type {Map<string, Promise<WebAssembly.Module>>} */
  const compiling = new Map();
  const compile = (/** @type {string} */ name) => {
    let m = compiling.get(name);
    if (!m) compiling.set(name, (m = compileCoreModule(new URL(name, componentUrl))));
    return m;
  };
  // jco calls the main core module NAME.core.wasm: its download and
  // compilation start while the JS that names them all arrives.
  const base = /([^/]+)\.m?js$/.exec(componentUrl.pathname)?.[1];
  if (base) compile(`${base}.core.wasm`).catch(() => {});
  const js = new TextDecoder().decode(await fetchBytes(componentUrl));
  // jco names them NAME.core.wasm, NAME.core2.wasm, ... (string literals, also when minified).
  const names = [...new Set([...js.matchAll(/["']([^"'/\\]+\.core\d*\.wasm)["']/g)].map((m) => m[1]))];
  if (names.length === 0) {
    throw new Error(`portalis-threading: ${componentUrl} loads no core modules; is it the output of \`jco transpile --instantiation async\`?`);
  }
  /** @type {Record<string, WebAssembly.Module>} */
  const modules = {};
  await Promise.all(names.map(async (name) => {
    modules[name] = await compile(name);
  }));
  return modules;
}

/** @param {URL} url @returns {Promise<WebAssembly.Module>} */
async function compileCoreModule(url) {
  // Streaming: compiled while it downloads (needs `application/wasm`).
  if (url.protocol !== 'file:' && typeof WebAssembly.compileStreaming === 'function') {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`portalis-threading: cannot load ${url}: HTTP ${res.status}`);
    if ((res.headers.get('content-type') ?? '').startsWith('application/wasm')) return WebAssembly.compileStreaming(res);
    return WebAssembly.compile(await res.arrayBuffer());
  }
  return WebAssembly.compile(await fetchBytes(url));
}

/** Whether this is dist/index.js, built by bin/bundle.js. */
const BUNDLED = /** @type {any} */ (globalThis).PORTALIS_THREADING_BUNDLED === true;

function defaultShimUrl() {
  if (isNode) {
    const cli = import.meta.resolve('@bytecodealliance/preview2-shim/cli');
    return new URL(cli.replace(/\/dist\/nodejs\/cli\.js$/, '/dist/browser/index.js'));
  }
  return new URL('../preview2-shim/index.js', import.meta.url);
}

function defaultOutput() {
  if (isNode) {
    return (/** @type {1 | 2} */ fd, /** @type {Uint8Array} */ bytes) => (fd === 1 ? process.stdout : process.stderr).write(bytes);
  }
  const decoder = [new TextDecoder(), new TextDecoder()];
  const pending = ['', ''];
  return (/** @type {1 | 2} */ fd, /** @type {Uint8Array} */ bytes) => {
    pending[fd - 1] += decoder[fd - 1].decode(bytes, { stream: true });
    const lines = pending[fd - 1].split('\n');
    pending[fd - 1] = /** @type {string} */ (lines.pop());
    for (const line of lines) (fd === 1 ? console.log : console.error)(line);
  };
}

/** A started worker pool running one component. */
export class Runtime {
  /** @param {Broker} broker */
  constructor(broker) {
    this.broker = broker;
  }

  /**
   * Runs the program's `wasi:cli/run` on a worker (as worker 0). Resolves
   * with its exit status: 0, 1 for `Err`, the code given to `exit`, or 134
   * with `error` when main trapped. Workers it left running keep running
   * until `terminate`.
   * @returns {Promise<{ status: number, error?: string }>}
   */
  runMain() {
    return this.broker.runMain();
  }

  /**
   * Runs the component's task `entry` (a `portalis:threading/worker` entry)
   * on a worker with `input` (the task's argument in the guest SDK's
   * encoding, postcard) and resolves with its output bytes; rejects with a
   * `ThreadingError` (`unknown-entry`, `limit`, `panicked`, ...). The task
   * runs on a fresh instance, prepared ahead on an idle worker, as a
   * `thread.spawn` does; this thread awaits it instead of blocking.
   * @param {string} entry @param {Uint8Array} [input]
   * @returns {Promise<Uint8Array>}
   */
  runTask(entry, input = new Uint8Array(0)) {
    return this.broker.runTask(entry, input);
  }

  /**
   * Imports for an instance on this (the pool's own, never-blocking)
   * thread: `immediate` and zero-timeout forms work, blocking forms return
   * `error::unsupported`. Pass them to `instantiate` beside preview2-shim's.
   */
  mainThreadImports() {
    const broker = this.broker;
    const session = broker.directSession();
    const id = BigInt(session.owner);
    return threadingImports({
      call(op, args) {
        /** @type {any} */
        let result = null;
        broker.call(session, op, args, (r) => (result = r));
        if (!result) throw new Error(`portalis-threading: ${op} did not complete on the main thread`);
        if ('err' in result) throw new ThreadingError(result.err);
        return result.ok;
      },
      drop(h) {
        broker.drop(h);
      },
      currentId: () => id,
      parallelism: broker.o.parallelism,
      sleep() {
        throw new ThreadingError({ tag: 'unsupported', val: 'sleep would block this thread' });
      },
      reportPanic() {},
    });
  }

  /**
   * Terminates every worker (also one blocked or busy) and frees every
   * object; a pending `runMain` rejects. Resolves once the workers have
   * exited (at once in browsers, where `Worker.terminate` is synchronous).
   * @returns {Promise<void>}
   */
  terminate() {
    return this.broker.terminate();
  }

  /** Workers started and not terminated. */
  get workerCount() {
    return this.broker.slots.filter((s) => s.state !== 'dead').length;
  }
}

/**
 * Compiles the component, starts the worker pool and waits until the
 * workers have loaded it.
 * @param {RuntimeOptions} options
 */
export async function createRuntime(options) {
  checkIsolation();
  const componentUrl = toUrl(options.component);
  const parallelism = options.parallelism ?? (await hardwareParallelism());
  // Compiled while the workers start and import the JS (the broker awaits it).
  const modules = options.coreModules ?? compileCoreModules(componentUrl);
  // A compile error is reported by broker.start, not as an unhandled rejection.
  if (modules instanceof Promise) modules.catch(() => {});
  const broker = new Broker({
    componentUrl,
    // dist/pool-worker.js has preview2-shim inside (bin/bundle.js).
    shimUrl: options.shimUrl ? toUrl(options.shimUrl) : BUNDLED ? null : defaultShimUrl(),
    workerUrl: new URL('./pool-worker.js', import.meta.url),
    modules,
    parallelism,
    maxWorkers: options.maxWorkers ?? 64,
    args: options.args ?? ['main'],
    env: Object.entries(options.env ?? {}),
    output: options.output ?? defaultOutput(),
  });
  try {
    await broker.start(options.workers ?? parallelism);
  } catch (e) {
    broker.terminate();
    throw e;
  }
  return new Runtime(broker);
}

/**
 * Runs a program start to finish: starts a pool, runs main, terminates.
 * @param {RuntimeOptions} options
 */
export async function runProgram(options) {
  const rt = await createRuntime(options);
  try {
    return await rt.runMain();
  } finally {
    await rt.terminate();
  }
}
