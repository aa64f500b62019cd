// @ts-check
/**
 * What every interface module needs from the thread it runs on: a worker
 * (calls go to the broker and block with `Atomics.wait`) or the broker's
 * own thread (calls are direct and never block).
 *
 * @typedef {object} Link
 * @property {(op: string, args: any[]) => any} call  runs an operation on the broker; throws `ThreadingError` for an `error`
 * @property {(handle: number, lazy?: boolean) => void} drop  the guest dropped a handle; `lazy`: no
 *   other thread can tell when (a task's handle), so the drop may travel with the next message
 * @property {() => bigint} currentId  the calling worker's id
 * @property {number} parallelism
 * @property {(ns: bigint) => void} sleep
 * @property {(message: string) => void} reportPanic
 * @property {(cell: number, seq: number, wait: any) => ({ reply: { ok?: any, err?: any } } | { wait: any })} [waitTask]
 *   a worker: waits for a pool task's result on its direct-reply cell
 *   (direct-reply.js); else says how long the broker may still wait
 */

/** jco calls this on a resource when the guest drops its handle. */
export const symbolDispose = Symbol.dispose || Symbol.for('dispose');

/**
 * A resource object as jco sees it: an instance of `cls` holding the
 * broker's handle number.
 * @template T
 * @param {{ prototype: T }} cls
 * @param {number} handle
 * @returns {T}
 */
export function wrap(cls, handle) {
  const obj = Object.create(/** @type {any} */ (cls).prototype);
  obj.h = handle;
  return obj;
}
