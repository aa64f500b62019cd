// @ts-check
/**
 * The reply slot of one worker: a SharedArrayBuffer the broker writes a
 * reply into and the worker waits on with `Atomics.wait`.
 *
 * ctrl (Int32Array, 4 words): [0] state (0 waiting, 1 a chunk is ready),
 * [1] total reply length, [2] this chunk's length. data: the chunk. A
 * reply larger than the slot goes in chunks; the worker asks for the next
 * with a `more` message.
 */
import { decode } from './codec.js';

/** Bytes of reply data per slot; larger replies are chunked. */
export const SLOT_BYTES = 1 << 20;

/** @returns {{ ctrl: SharedArrayBuffer, data: SharedArrayBuffer }} */
export function newSlot() {
  if (typeof SharedArrayBuffer === 'undefined') {
    throw new Error(
      'portalis-threading: SharedArrayBuffer is unavailable. In a browser the page must be ' +
        'cross-origin isolated: serve it with `Cross-Origin-Opener-Policy: same-origin` and ' +
        '`Cross-Origin-Embedder-Policy: require-corp`.',
    );
  }
  return { ctrl: new SharedArrayBuffer(16), data: new SharedArrayBuffer(SLOT_BYTES) };
}

/** The broker's side of a slot: writes replies. */
export class SlotWriter {
  /** @param {{ ctrl: SharedArrayBuffer, data: SharedArrayBuffer }} slot */
  constructor(slot) {
    this.ctrl = new Int32Array(slot.ctrl);
    this.data = new Uint8Array(slot.data);
    /** @type {Uint8Array | null} the rest of a chunked reply */
    this.rest = null;
  }

  /** @param {Uint8Array} bytes */
  write(bytes) {
    this.ctrl[1] = bytes.length;
    this.#chunk(bytes);
  }

  /** The worker asked for the next chunk. */
  more() {
    const rest = this.rest;
    this.rest = null;
    if (rest) this.#chunk(rest);
  }

  /** @param {Uint8Array} bytes */
  #chunk(bytes) {
    const n = Math.min(bytes.length, this.data.length);
    this.data.set(bytes.subarray(0, n));
    this.rest = n < bytes.length ? bytes.subarray(n) : null;
    this.ctrl[2] = n;
    Atomics.store(this.ctrl, 0, 1);
    Atomics.notify(this.ctrl, 0);
  }
}

/** The worker's side of a slot: posts a request and blocks for its reply. */
export class SlotReader {
  /**
   * @param {{ ctrl: SharedArrayBuffer, data: SharedArrayBuffer }} slot
   * @param {(msg: any) => void} post
   */
  constructor(slot, post) {
    this.ctrl = new Int32Array(slot.ctrl);
    this.data = new Uint8Array(slot.data);
    this.post = post;
  }

  /** Sends `msg` and waits for the reply. @param {any} msg */
  request(msg) {
    const ctrl = this.ctrl;
    Atomics.store(ctrl, 0, 0);
    this.post(msg);
    /** @type {Uint8Array[]} */
    const parts = [];
    let got = 0;
    let total = 0;
    for (;;) {
      while (Atomics.load(ctrl, 0) === 0) Atomics.wait(ctrl, 0, 0);
      total = ctrl[1];
      const n = ctrl[2];
      parts.push(this.data.slice(0, n));
      got += n;
      if (got >= total) break;
      Atomics.store(ctrl, 0, 0);
      this.post({ t: 'more' });
    }
    let bytes = parts[0];
    if (parts.length > 1) {
      bytes = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
    }
    return decode(bytes);
  }
}
