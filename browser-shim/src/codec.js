// @ts-check
/**
 * The bytes of one reply from the broker to a blocked worker: JSON for the
 * structure, with `Uint8Array`s, `bigint`s and `undefined` tagged, and the
 * byte arrays appended after it (no base64, no per-byte JSON).
 *
 * Layout: u32 json length | json | for each blob: u32 length | bytes.
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** @param {unknown} value @returns {Uint8Array} */
export function encode(value) {
  /** @type {Uint8Array[]} */
  const blobs = [];
  const json = JSON.stringify(value, function (_key, v) {
    if (v instanceof Uint8Array) {
      blobs.push(v);
      return { $b: blobs.length - 1 };
    }
    if (typeof v === 'bigint') return { $n: v.toString() };
    if (v === undefined) return { $u: 1 };
    return v;
  });
  const head = encoder.encode(json);
  let size = 4 + head.length;
  for (const b of blobs) size += 4 + b.length;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, head.length, true);
  out.set(head, 4);
  let at = 4 + head.length;
  for (const b of blobs) {
    dv.setUint32(at, b.length, true);
    out.set(b, at + 4);
    at += 4 + b.length;
  }
  return out;
}

/** @param {Uint8Array} bytes (not backed by shared memory) @returns {any} */
export function decode(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLen = dv.getUint32(0, true);
  const json = decoder.decode(bytes.subarray(4, 4 + jsonLen));
  /** @type {Uint8Array[]} */
  const blobs = [];
  let at = 4 + jsonLen;
  while (at < bytes.length) {
    const n = dv.getUint32(at, true);
    blobs.push(bytes.slice(at + 4, at + 4 + n));
    at += 4 + n;
  }
  /** @param {any} v @returns {any} */
  const revive = (v) => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(revive);
    if ('$b' in v) return blobs[v.$b];
    if ('$n' in v) return BigInt(v.$n);
    if ('$u' in v) return undefined;
    for (const k of Object.keys(v)) v[k] = revive(v[k]);
    return v;
  };
  return revive(JSON.parse(json));
}
