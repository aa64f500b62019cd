// @ts-check
/**
 * What the benchmark page and the Node side share: the guest SDK's
 * encoding of task arguments (postcard: unsigned integers are LEB128
 * varints, a tuple is its fields in order) and the measurements, written
 * against a started `Runtime` so they run the same in both.
 */

/** @param {...(number | bigint)} ns @returns {Uint8Array} */
export function varints(...ns) {
  const out = [];
  for (const v of ns) {
    let n = BigInt(v);
    do {
      let b = Number(n & 0x7fn);
      n >>= 7n;
      if (n) b |= 0x80;
      out.push(b);
    } while (n);
  }
  return new Uint8Array(out);
}

/** @param {Uint8Array} bytes */
export function varint(bytes) {
  let n = 0n;
  let shift = 0n;
  for (const b of bytes) {
    n |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if (!(b & 0x80)) break;
  }
  return Number(n);
}

const P = 'bench_tasks::';

/**
 * Guest-timed costs, best of `runs`, in µs per operation: a pooled task
 * (submit + wait on a warm pool of one), one broker call, one message.
 * @param {any} rt a Runtime of bench_tasks with at least 3 workers
 */
export async function roundTrips(rt, runs = 5) {
  /** @type {Record<string, number>} */
  const best = {};
  for (const [name, iters] of /** @type {[string, number][]} */ ([['bench_pool', 2000], ['bench_is_locked', 5000], ['bench_message', 2000]])) {
    for (let i = 0; i < runs; i++) {
      const us = varint(await rt.runTask(P + name, varints(iters))) / iters / 1e3;
      best[name] = Math.min(best[name] ?? Infinity, us);
    }
  }
  // A task the page itself awaits (rt.runTask: spawn on a prepared instance + join).
  for (let i = 0; i < runs * 10; i++) {
    const t0 = performance.now();
    await rt.runTask(P + 'noop');
    best.runTask = Math.min(best.runTask ?? Infinity, (performance.now() - t0) * 1e3);
  }
  return best;
}

/**
 * Primes below `limit` with bench_tasks' bench_primes (guest-timed, after
 * a warm-up), best of `runs` for 1 and 2 pool workers, in ms.
 * @param {any} rt @param {number} limit
 */
export async function primesTask(rt, limit, runs = 3) {
  const best = [Infinity, Infinity];
  for (let i = 0; i < runs; i++) {
    for (const w of [1, 2]) {
      const ms = varint(await rt.runTask(P + 'bench_primes', varints(limit, w))) / 1e6;
      best[w - 1] = Math.min(best[w - 1], ms);
    }
  }
  return { one: best[0], two: best[1], speedup: best[0] / best[1] };
}

/** The primes example's own report. @param {string} stdout */
export function parsePrimes(stdout) {
  const one = /1 worker:\s+\d+ primes in\s+([0-9.]+) ms/.exec(stdout);
  const two = /2 workers: \d+ primes in\s+([0-9.]+) ms/.exec(stdout);
  if (!one || !two) throw new Error(`unexpected primes output:\n${stdout}`);
  return { one: Number(one[1]), two: Number(two[1]), speedup: Number(one[1]) / Number(two[1]) };
}
