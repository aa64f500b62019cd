// @ts-check
/**
 * The `portalis:threading/*` import object for one instance, keyed as jco's
 * generated code looks it up (with and without the `@0.1.0` version).
 */
import { createChannel } from './channel.js';
import { createExecutor } from './executor.js';
import { createLock } from './lock.js';
import { createThread } from './thread.js';
import { createTypes } from './types.js';
import { createWorker } from './worker.js';

export const PACKAGE = 'portalis:threading';
export const VERSION = '0.1.0';

/** @param {import('./runtime-link.js').Link} link */
export function threadingImports(link) {
  /** @type {Record<string, object>} */
  const ifaces = {
    types: createTypes(),
    thread: createThread(link),
    lock: createLock(link),
    channel: createChannel(link),
    executor: createExecutor(link),
    worker: createWorker(),
  };
  /** @type {Record<string, object>} */
  const out = {};
  for (const [name, iface] of Object.entries(ifaces)) {
    out[`${PACKAGE}/${name}`] = iface;
    out[`${PACKAGE}/${name}@${VERSION}`] = iface;
  }
  return out;
}
