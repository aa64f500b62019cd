// @ts-check
/** `portalis:threading/thread`: spawn and join workers. */
import { symbolDispose, wrap } from './runtime-link.js';

/** @param {import('./runtime-link.js').Link} link */
export function createThread(link) {
  class Thread {
    /** @type {number} */ h = 0;
    /** @type {bigint} */ tid = 0n;
    /** @type {string | undefined} */ tname = undefined;
    id() {
      return this.tid;
    }
    name() {
      return this.tname;
    }
    /** @param {any} wait */
    join(wait) {
      return link.call('thread.join', [this.h, wait]);
    }
    isFinished() {
      return link.call('thread.is-finished', [this.h]);
    }
    [symbolDispose]() {
      link.drop(this.h);
    }
  }
  return {
    Thread,
    /** @param {string} entry @param {Uint8Array} input @param {{ name?: string }} options */
    spawn(entry, input, options) {
      const name = options?.name;
      const [h, id] = link.call('thread.spawn', [entry, input, name]);
      const t = wrap(Thread, h);
      t.tid = id;
      t.tname = name;
      return t;
    },
    currentId: () => link.currentId(),
    availableParallelism: () => Math.max(1, link.parallelism),
    /** @param {bigint} ns */
    sleep: (ns) => link.sleep(ns),
    yieldNow() {},
    /** @param {string} message */
    reportPanic: (message) => link.reportPanic(message),
  };
}
