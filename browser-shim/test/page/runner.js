// @ts-check
/**
 * The page the Chromium suite drives: `window.portalisTest.run(name)` runs
 * one transpiled test program on a fresh worker pool and reports its exit
 * status and output; the failure cases have their own functions. It uses
 * the browser bundle (dist/, what a page gets by default); `unbundled`
 * runs src/ as it is, with preview2-shim given by URL.
 */
import { createRuntime } from '../../dist/index.js';
import { createRuntime as createUnbundled } from '../../src/index.js';

const shimUrl = new URL('../../node_modules/@bytecodealliance/preview2-shim/dist/browser/index.js', import.meta.url);
/** @param {string} name */
const componentUrl = (name) => new URL(`../.build/${name}/${name}.js`, import.meta.url);

/** @param {string} name @param {string[]} args @param {object} [extra] @param {typeof createRuntime} [create] */
async function run(name, args, extra = {}, create = createRuntime) {
  let stdout = '';
  let stderr = '';
  const decoder = new TextDecoder();
  /** @type {any} */
  let rt = null;
  try {
    rt = await create({
      component: componentUrl(name),
      workers: 3,
      args,
      output: (fd, bytes) => {
        if (fd === 1) stdout += decoder.decode(bytes, { stream: true });
        else stderr += decoder.decode(bytes, { stream: true });
      },
      ...extra,
    });
    const r = await rt.runMain();
    return { status: r.status, error: r.error, stdout, stderr };
  } catch (e) {
    return { status: -1, error: String(/** @type {any} */ (e)?.message ?? e), stdout, stderr };
  } finally {
    rt?.terminate();
  }
}

/** A program run by src/ unbundled, with preview2-shim given by URL. @param {string} name @param {string[]} args */
const unbundled = (name, args) => run(name, args, { shimUrl }, createUnbundled);

/** Starts a pool whose workers cannot load their module; the error it gives. */
async function badWorker() {
  try {
    const rt = await createRuntime({ component: componentUrl('thread_smoke'), shimUrl: new URL('./no-such-shim.js', import.meta.url), workers: 1 });
    rt.terminate();
    return 'the pool started';
  } catch (e) {
    return String(/** @type {any} */ (e)?.message ?? e);
  }
}

/** Terminates the pool while main and its workers are busy; what main's promise did. */
async function teardown() {
  const rt = await createRuntime({ component: componentUrl('thread_join_timeout'), workers: 2, output: () => {} });
  const main = rt.runMain().then(() => 'resolved', (/** @type {any} */ e) => `rejected: ${e.message}`);
  await new Promise((r) => setTimeout(r, 100));
  rt.terminate();
  return { main: await main, workersLeft: rt.broker.slots.length };
}

/** Main-thread imports: immediate forms work, blocking forms are unsupported. */
async function mainThread() {
  const rt = await createRuntime({ component: componentUrl('lock_mutex'), workers: 1 });
  try {
    const lock = /** @type {any} */ (rt.mainThreadImports()['portalis:threading/lock@0.1.0']);
    const m = lock.Mutex.new();
    m.lock({ tag: 'immediate' });
    const locked = m.isLocked();
    m.unlock();
    let blocking = '';
    try {
      m.lock({ tag: 'forever' });
    } catch (e) {
      blocking = /** @type {any} */ (e).payload?.tag;
    }
    return { locked, blocking };
  } finally {
    rt.terminate();
  }
}

/**
 * Counts primes on 2 pool workers (bench_tasks' `bench_primes`, about a
 * second of work in all) while this thread ticks through a MessageChannel
 * (a macrotask per tick, as input events are): the page stays responsive
 * when the gaps between ticks stay short. What the ticker saw.
 * @param {number} runs
 */
async function responsive(runs) {
  const rt = await createRuntime({ component: componentUrl('bench_tasks'), workers: 3, output: () => {} });
  const channel = new MessageChannel();
  let ticking = true;
  let ticks = 0;
  let maxGap = 0;
  let last = performance.now();
  channel.port1.onmessage = () => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
    // Paced by a timer, so the ticker itself leaves the broker room.
    if (ticking) setTimeout(() => channel.port2.postMessage(0), 1);
  };
  const t0 = performance.now();
  let took = 0;
  try {
    channel.port2.postMessage(0);
    // (limit, workers) as postcard varints: 400,000 = [0x80, 0xb5, 0x18], 2 workers.
    const input = new Uint8Array([0x80, 0xb5, 0x18, 2]);
    // At least `runs` runs, and on until 600 ms of counting (at most 50
    // runs): a fast machine must still keep the workers busy long enough
    // for the check to mean something.
    for (let i = 0; i < runs || (took < 600 && i < 50); i++) {
      const out = await rt.runTask('bench_tasks::bench_primes', input);
      took += out.reduce((n, b, k) => n + (b & 0x7f) * 2 ** (7 * k), 0) / 1e6;
    }
  } finally {
    ticking = false;
    channel.port1.close();
    rt.terminate();
  }
  return { ms: performance.now() - t0, computeMs: took, ticks, maxGap };
}

/** @type {any} */ (window).portalisTest = { run, unbundled, badWorker, teardown, mainThread, responsive, isolated: globalThis.crossOriginIsolated };
/** @type {any} */ (window).portalisReady = true;
