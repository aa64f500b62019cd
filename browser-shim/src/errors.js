// @ts-check
/**
 * The `error` variant of `portalis:threading/types` as jco represents it
 * (`{ tag, val }`), and the exception that carries it across jco's import
 * boundary: jco turns a thrown object with an own `payload` property into
 * `result::err(payload)`.
 *
 * @typedef {{ tag: 'timeout' | 'would-block' | 'closed' | 'broken' | 'cancelled' | 'invalid-token' }
 *   | { tag: 'panicked' | 'limit' | 'invalid-argument' | 'invalid-state' | 'unknown-entry' | 'unsupported', val: string }} WitError
 */

export const E = {
  /** @returns {WitError} */ timeout: () => ({ tag: 'timeout' }),
  /** @returns {WitError} */ wouldBlock: () => ({ tag: 'would-block' }),
  /** @returns {WitError} */ closed: () => ({ tag: 'closed' }),
  /** @returns {WitError} */ broken: () => ({ tag: 'broken' }),
  /** @returns {WitError} */ cancelled: () => ({ tag: 'cancelled' }),
  /** @returns {WitError} */ invalidToken: () => ({ tag: 'invalid-token' }),
  /** @param {string} m @returns {WitError} */ panicked: (m) => ({ tag: 'panicked', val: m }),
  /** @param {string} m @returns {WitError} */ limit: (m) => ({ tag: 'limit', val: m }),
  /** @param {string} m @returns {WitError} */ invalidArgument: (m) => ({ tag: 'invalid-argument', val: m }),
  /** @param {string} m @returns {WitError} */ invalidState: (m) => ({ tag: 'invalid-state', val: m }),
  /** @param {string} m @returns {WitError} */ unknownEntry: (m) => ({ tag: 'unknown-entry', val: m }),
  /** @param {string} m @returns {WitError} */ unsupported: (m) => ({ tag: 'unsupported', val: m }),
};

/** @param {WitError} e */
export function describe(e) {
  return 'val' in e ? `${e.tag}: ${e.val}` : e.tag;
}

/** A `portalis:threading` error thrown from an import; jco lowers it to `err`. */
export class ThreadingError extends Error {
  /** @param {WitError} variant */
  constructor(variant) {
    super(describe(variant));
    this.name = 'ThreadingError';
    Object.defineProperty(this, 'payload', { value: variant, enumerable: true });
  }
}

/** Why a blocking form is refused on a thread that must not block. */
export const NO_BLOCKING_HERE =
  'this thread must not block (the browser main thread, or the thread that owns the worker pool): ' +
  'run the program in a worker (Runtime.runMain) or use wait::immediate';
