// @ts-check
/**
 * The benchmark page (bench/run.js drives it in headless Chromium). On load
 * it starts a runtime of bench_tasks and runs one trivial task, recording
 * when (ms since navigation start, performance.timeOrigin); the other
 * measurements are functions bench/run.js calls.
 */
import { createRuntime } from '../../dist/index.js';
import { parsePrimes, primesTask, roundTrips } from '../common.js';

/** @param {string} name */
const componentUrl = (name) => new URL(`../../test/.build/${name}/${name}.js`, import.meta.url);

const moduleStart = performance.now();
/** @type {any} */
const first = { moduleStart };
const ready = (async () => {
  const rt = await createRuntime({ component: componentUrl('bench_tasks'), workers: 2, output: () => {} });
  first.runtimeReady = performance.now();
  await rt.runTask('bench_tasks::noop');
  first.firstResult = performance.now();
  return rt;
})();

async function primesExample(/** @type {number} */ limit) {
  let stdout = '';
  const decoder = new TextDecoder();
  const rt = await createRuntime({
    component: componentUrl('primes'), workers: 3, parallelism: 2, args: ['primes', String(limit)],
    output: (fd, bytes) => { if (fd === 1) stdout += decoder.decode(bytes, { stream: true }); },
  });
  try {
    const r = await rt.runMain();
    if (r.status !== 0) throw new Error(`primes: exit status ${r.status} ${r.error ?? ''}\n${stdout}`);
    return parsePrimes(stdout);
  } finally {
    await rt.terminate();
  }
}

/** @type {any} */ (window).bench = {
  first: async () => {
    await ready;
    // The load event, for those who count "after page load" from it.
    if (document.readyState !== 'complete') await new Promise((r) => addEventListener('load', r, { once: true }));
    const nav = /** @type {PerformanceNavigationTiming | undefined} */ (performance.getEntriesByType('navigation')[0]);
    return { ...first, loadEvent: nav?.loadEventStart };
  },
  roundTrips: async () => roundTrips(await ready),
  primesTask: async (/** @type {number} */ limit) => primesTask(await ready, limit),
  primesExample,
};
