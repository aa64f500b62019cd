// @ts-check
/** `portalis:threading/executor`: pools, tasks and `wait-any`. */
import { symbolDispose, wrap } from './runtime-link.js';

/** @param {import('./runtime-link.js').Link} link */
export function createExecutor(link) {
  class Task {
    /** @type {number} */ h = 0;
    /** @param {any} wait */
    wait(wait) {
      return link.call('task.wait', [this.h, wait]);
    }
    cancel() {
      return link.call('task.cancel', [this.h]);
    }
    state() {
      return link.call('task.state', [this.h]);
    }
    [symbolDispose]() {
      link.drop(this.h);
    }
  }

  class Pool {
    /** @type {number} */ h = 0;
    /** @param {number} workers */
    static new(workers) {
      return wrap(Pool, link.call('pool.new', [workers]));
    }
    /** @param {bigint} token */
    static open(token) {
      return wrap(Pool, link.call('open', ['pool', token]));
    }
    workers() {
      return link.call('pool.workers', [this.h]);
    }
    /** @param {string} entry @param {Uint8Array} input */
    submit(entry, input) {
      return wrap(Task, link.call('pool.map', [this.h, entry, [input]])[0]);
    }
    /** @param {string} entry @param {Uint8Array[]} inputs */
    map(entry, inputs) {
      return link.call('pool.map', [this.h, entry, inputs]).map((/** @type {number} */ h) => wrap(Task, h));
    }
    /** @param {boolean} cancelPending @param {any} wait */
    shutdown(cancelPending, wait) {
      link.call('pool.shutdown', [this.h, cancelPending, wait]);
    }
    isShutdown() {
      return link.call('pool.is-shutdown', [this.h]);
    }
    share() {
      return link.call('pool.share', [this.h]);
    }
    [symbolDispose]() {
      link.drop(this.h);
    }
  }

  return {
    Pool,
    Task,
    /** @param {Task[]} tasks @param {any} wait */
    waitAny: (tasks, wait) => link.call('wait-any', [tasks.map((t) => t.h), wait]),
  };
}
