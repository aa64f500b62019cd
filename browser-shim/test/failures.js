// @ts-check
/**
 * Failure cases on Node (the same cases run in Chromium from
 * test/page/runner.js): a worker that fails to load, teardown while
 * workers are busy and blocked, and the pool's own thread refusing to
 * block. (Trapping and panicking tasks are the fault_trap, fault_panic and
 * executor_panic programs; a non-isolated page only exists in browsers.)
 */
import { createRuntime } from '../src/index.js';
import { within } from './check.js';

/** @param {{ name: string, js: string }[]} all @param {string} name */
const js = (all, name) => /** @type {{ js: string }} */ (all.find((p) => p.name === name)).js;

/** @type {{ name: string, node: (all: { name: string, js: string }[]) => Promise<string | null> }[]} */
export const failureCases = [
  {
    name: 'worker-load-failure',
    async node(all) {
      try {
        const rt = await createRuntime({ component: js(all, 'thread_smoke'), shimUrl: '/nonexistent/preview2-shim/index.js', workers: 1 });
        await rt.terminate();
        return 'the pool started';
      } catch (e) {
        const m = String(/** @type {any} */ (e)?.message);
        return /a worker failed to load/.test(m) ? null : `unexpected error: ${m}`;
      }
    },
  },
  {
    name: 'teardown-during-work',
    async node(all) {
      const rt = await createRuntime({ component: js(all, 'thread_join_timeout'), workers: 2, output: () => {} });
      const main = rt.runMain().then(() => 'resolved', (e) => `rejected: ${e.message}`);
      await new Promise((r) => setTimeout(r, 100));
      // main is blocked in join (Atomics.wait) on a worker that sleeps 300 ms.
      await within(rt.terminate(), 10_000, 'terminate');
      const outcome = await main;
      if (!/rejected: .*terminated/.test(outcome)) return `main's promise: ${outcome}`;
      return rt.workerCount === 0 ? null : `${rt.workerCount} workers left`;
    },
  },
  {
    name: 'main-thread-never-blocks',
    async node(all) {
      const rt = await createRuntime({ component: js(all, 'lock_mutex'), workers: 1 });
      try {
        const lock = /** @type {any} */ (rt.mainThreadImports()['portalis:threading/lock@0.1.0']);
        const m = lock.Mutex.new();
        m.lock({ tag: 'immediate' });
        if (!m.isLocked()) return 'immediate lock did not lock';
        m.unlock();
        try {
          m.lock({ tag: 'timeout', val: 1_000_000n });
          return 'a timed lock returned on the main thread';
        } catch (e) {
          if (/** @type {any} */ (e).payload?.tag !== 'unsupported') return `timed lock: ${e}`;
        }
        return m.isLocked() ? 'the refused lock locked' : null;
      } finally {
        await rt.terminate();
      }
    },
  },
];
