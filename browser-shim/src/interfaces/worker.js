// @ts-check
/**
 * `portalis:threading/worker` as an import: the end of the composition
 * chain, a stage that defines no entries (as the wasmtime host's).
 */
import { E, ThreadingError } from '../errors.js';

export function createWorker() {
  return {
    /** @param {string} entry */
    run(entry) {
      throw new ThreadingError(E.unknownEntry(entry));
    },
    entries() {
      return [];
    },
  };
}
