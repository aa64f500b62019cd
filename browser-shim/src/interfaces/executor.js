// @ts-check
/** `portalis:threading/executor`: pools, tasks and `wait-any`. */
import { ThreadingError } from '../errors.js';
import { symbolDispose, wrap } from './runtime-link.js';

/** @param {import('./runtime-link.js').Link} link */
export function createExecutor(link) {
  class Task {
    /** @type {number} */ h = 0;
    /** @type {[number, number] | null} the task's direct-reply cell and seq, if it was dispatched at once */ cell = null;
    /** @param {any} wait */
    wait(wait) {
      // A task dispatched at once: its result may be read, or waited for,
      // without asking the broker (direct-reply.js).
      if (this.cell && link.waitTask) {
        const r = link.waitTask(this.cell[0], this.cell[1], wait);
        if ('reply' in r) {
          if ('err' in r.reply) {
            // A timeout leaves the cell to wait on again.
            if (r.reply.err.tag !== 'timeout') this.cell = null;
            throw new ThreadingError(r.reply.err);
          }
          this.cell = null;
          return r.reply.ok;
        }
        // The broker has it from here on (the cell may be reused later).
        this.cell = null;
        wait = r.wait;
      }
      return link.call('task.wait', [this.h, wait]);
    }
    cancel() {
      return link.call('task.cancel', [this.h]);
    }
    state() {
      return link.call('task.state', [this.h]);
    }
    [symbolDispose]() {
      // Nothing else holds a task, so nobody can tell when it goes.
      link.drop(this.h, true);
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
      return this.map(entry, [input])[0];
    }
    /** @param {string} entry @param {Uint8Array[]} inputs */
    map(entry, inputs) {
      const [hs, cells] = link.call('pool.map', [this.h, entry, inputs]);
      return hs.map((/** @type {number} */ h, /** @type {number} */ i) => {
        const task = wrap(Task, h);
        task.cell = cells[i];
        return task;
      });
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
