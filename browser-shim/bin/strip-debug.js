// @ts-check
/**
 * Removes DWARF (`.debug_*` custom sections) from a core WebAssembly
 * module. A Rust guest built in release mode still carries the standard
 * library's debug info: in the test programs 3.5 MB of a 3.7 MB core
 * module, against 98 kB of code. Browsers download and stream-compile all
 * of it and use none. The `name` section (function names in stack traces)
 * and every other section stay.
 */

/** @param {Uint8Array} bytes @param {number} at @returns {[number, number]} value, next offset */
function uleb(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at >= bytes.length) throw new Error('truncated WebAssembly module');
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [value, at];
  }
}

/**
 * The module without its `.debug_*` sections (the same bytes if it had none).
 * @param {Uint8Array} bytes a core module (`\0asm`, version 1)
 * @returns {Uint8Array}
 */
export function stripDebugSections(bytes) {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d || bytes[4] !== 1) {
    throw new Error('not a core WebAssembly module');
  }
  /** @type {Uint8Array[]} */
  const kept = [bytes.subarray(0, 8)];
  let dropped = 0;
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const [size, body] = uleb(bytes, at);
    const end = body + size;
    if (end > bytes.length) throw new Error('truncated WebAssembly module');
    let debug = false;
    if (id === 0) {
      const [len, name] = uleb(bytes, body);
      debug = new TextDecoder().decode(bytes.subarray(name, name + len)).startsWith('.debug_');
    }
    if (debug) dropped += end - start;
    else kept.push(bytes.subarray(start, end));
    at = end;
  }
  if (!dropped) return bytes;
  const out = new Uint8Array(bytes.length - dropped);
  let to = 0;
  for (const part of kept) {
    out.set(part, to);
    to += part.length;
  }
  return out;
}
