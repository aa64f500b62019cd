#!/usr/bin/env node
// @ts-check
/**
 * Browser-shim measurements, in headless Chromium (the page bench/page/,
 * served with COOP/COEP) and in Node for comparison. Not a test: it
 * prints a table. Needs the guest programs built (see ../ci.sh) and
 * `examples/primes`.
 *
 *   node bench/run.js [--runs N] [--limit 3000000] [--loads N]
 *
 * - first task: ms from navigation start (performance.timeOrigin; in Node,
 *   process start) to the result of the first task (createRuntime with 2
 *   workers, then rt.runTask of a no-op); best and median of `--loads`
 *   fresh page loads, nothing cached (fresh Node processes). Beside it in
 *   Chromium: the same page reloaded from a server that lets it cache
 *   (revalidating), and the floor: a page that starts one worker which
 *   answers at once.
 * - pooled task: bench_tasks' bench_pool, timed in the guest: submit + wait
 *   of a no-op task on a warm pool of one, µs per task; beside it one broker
 *   call (bench_is_locked), one message between workers (bench_message) and
 *   a task the page awaits (rt.runTask). Best of `--runs`.
 * - primes: examples/primes (its own best of 3 per pool size) with 2 workers
 *   over 1, best of `--runs` runs; and bench_tasks' bench_primes, same limit.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { bundle } from '../bin/bundle.js';
import { serve } from '../bin/server.js';
import { transpileFile } from '../bin/transpile.js';
import { createRuntime } from '../src/index.js';
import { chromiumPath } from '../test/chromium.js';
import { transpile } from '../test/build.js';
import { buildDir, wasmDir } from '../test/programs.js';
import { parsePrimes, primesTask, roundTrips } from './common.js';

const argv = process.argv.slice(2);
const opt = (/** @type {string} */ name, /** @type {number} */ dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const RUNS = opt('runs', 3);
const LOADS = opt('loads', 7);
const LIMIT = opt('limit', 3_000_000);
const root = fileURLToPath(new URL('..', import.meta.url));

const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (/** @type {number} */ x, d = 1) => x.toFixed(d);

await bundle();
await transpile('bench_tasks');
await transpileFile(`${wasmDir}/primes.wasm`, `${buildDir}primes`, 'primes');

/** @type {Record<string, any>} */
const results = { chromium: {}, node: {} };

// ---- Chromium
// Cold loads: nothing cached (a first visit). `cached` revalidates instead
// (bin/server.js): reloads reuse unchanged files and their compiled code.
const server = await serve(root, 0, { cache: false });
const cached = await serve(root, 0);
const profile = mkdtempSync(join(tmpdir(), 'portalis-bench-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: chromiumPath(),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  timeout: 60_000,
});
try {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  const floors = [];
  for (let i = 0; i < LOADS; i++) {
    await page.goto(`${server.url}/bench/page/floor.html`);
    floors.push(await page.evaluate(() => /** @type {any} */ (window).floor()));
  }
  results.chromium.floor = floors;
  const loads = [];
  for (let i = 0; i < LOADS; i++) {
    await page.goto(`${server.url}/bench/page/index.html`);
    loads.push(await page.evaluate(() => /** @type {any} */ (window).bench.first()));
  }
  results.chromium.first = loads;
  const reloads = [];
  for (let i = 0; i <= LOADS; i++) {
    await page.goto(`${cached.url}/bench/page/index.html`);
    const r = await page.evaluate(() => /** @type {any} */ (window).bench.first());
    if (i > 0) reloads.push(r); // the first load fills the cache
  }
  results.chromium.reloads = reloads;
  results.chromium.roundTrips = await page.evaluate(() => /** @type {any} */ (window).bench.roundTrips());
  results.chromium.primesTask = await page.evaluate((l) => /** @type {any} */ (window).bench.primesTask(l), LIMIT);
  const ex = [];
  for (let i = 0; i < RUNS; i++) ex.push(await page.evaluate((l) => /** @type {any} */ (window).bench.primesExample(l), LIMIT));
  results.chromium.primesExample = ex;
} finally {
  await context.close();
  await server.close();
  await cached.close();
  rmSync(profile, { recursive: true, force: true });
}

// ---- Node
const loads = [];
for (let i = 0; i < LOADS; i++) {
  const child = fileURLToPath(new URL('./first-task.js', import.meta.url));
  loads.push(JSON.parse(execFileSync(process.execPath, [child, `${buildDir}bench_tasks/bench_tasks.js`], { encoding: 'utf8' })));
}
results.node.first = loads;
{
  const rt = await createRuntime({ component: `${buildDir}bench_tasks/bench_tasks.js`, workers: 2, output: () => {} });
  try {
    results.node.roundTrips = await roundTrips(rt);
    results.node.primesTask = await primesTask(rt, LIMIT);
  } finally {
    await rt.terminate();
  }
  const ex = [];
  for (let i = 0; i < RUNS; i++) {
    let stdout = '';
    const prt = await createRuntime({
      component: `${buildDir}primes/primes.js`, workers: 3, parallelism: 2, args: ['primes', String(LIMIT)],
      output: (fd, b) => { if (fd === 1) stdout += Buffer.from(b).toString(); },
    });
    const r = await prt.runMain();
    await prt.terminate();
    if (r.status !== 0) throw new Error(`primes: ${r.status} ${r.error}`);
    ex.push(parsePrimes(stdout));
  }
  results.node.primesExample = ex;
}

// ---- the table
let lscpu = '';
try {
  lscpu = execFileSync('lscpu', { encoding: 'utf8' }).split('\n').filter((l) => /^(Model name|CPU\(s\))/.test(l)).map((l) => l.replace(/\s+/g, ' ')).join('; ');
} catch {}
let load = '';
try {
  load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ');
} catch {}
const chromiumVersion = execFileSync(chromiumPath(), ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
console.log(`machine: ${cpus().length} CPUs (${lscpu}); load average ${load}; ${chromiumVersion}; Node ${process.version}`);
console.log(`best of ${RUNS} runs (${LOADS} page loads / processes for the first task)\n`);
const rows = [];
for (const rt of ['chromium', 'node']) {
  const r = results[rt];
  const firsts = r.first.map((/** @type {any} */ x) => x.firstResult);
  const best = (/** @type {any[]} */ xs, /** @type {string} */ k) => Math.min(...xs.map((x) => x[k]));
  const ex = r.primesExample;
  const exBest = ex.reduce((/** @type {any} */ a, /** @type {any} */ b) => (b.speedup > a.speedup ? b : a));
  rows.push([rt, 'first task result after load (target <= 100 ms)', `${f(Math.min(...firsts))} ms (median ${f(median(firsts))}; runtime ready at ${f(best(r.first, 'runtimeReady'))})`]);
  if (r.first[0].loadEvent !== undefined) {
    const after = r.first.map((/** @type {any} */ x) => x.firstResult - x.loadEvent);
    rows.push([rt, '  the same, counted from the load event', `${f(Math.min(...after))} ms (median ${f(median(after))}; load event at ${f(best(r.first, 'loadEvent'))})`]);
  }
  if (r.reloads) {
    const w = r.reloads.map((/** @type {any} */ x) => x.firstResult);
    rows.push([rt, '  the same, reloads revalidating an HTTP cache', `${f(Math.min(...w))} ms (median ${f(median(w))})`]);
  }
  if (r.floor) {
    const w = r.floor.map((/** @type {any} */ x) => x.workerAnswered);
    rows.push([rt, '  floor: a page starting one worker that answers at once', `${f(Math.min(...w))} ms (median ${f(median(w))}; its module ran at ${f(best(r.floor, 'moduleStart'))})`]);
  }
  rows.push([rt, 'pooled task round trip, bench_pool (target <= 0.3 ms)', `${f(r.roundTrips.bench_pool / 1e3, 3)} ms`]);
  rows.push([rt, '  one broker call (bench_is_locked)', `${f(r.roundTrips.bench_is_locked)} µs`]);
  rows.push([rt, '  one message between workers (bench_message)', `${f(r.roundTrips.bench_message)} µs`]);
  rows.push([rt, '  runTask (spawn + join) awaited by the page', `${f(r.roundTrips.runTask / 1e3, 2)} ms`]);
  rows.push([rt, `primes example, 2 workers over 1 (target >= 1.8x)`, `${f(exBest.speedup, 2)}x (${f(exBest.one, 0)} / ${f(exBest.two, 0)} ms; all: ${ex.map((/** @type {any} */ e) => f(e.speedup, 2)).join(', ')})`]);
  rows.push([rt, `  bench_primes, best of each`, `${f(r.primesTask.speedup, 2)}x (${f(r.primesTask.one, 0)} / ${f(r.primesTask.two, 0)} ms)`]);
}
const w0 = Math.max(...rows.map((r) => r[1].length));
for (const [rt, what, value] of rows) console.log(`${rt.padEnd(9)} ${what.padEnd(w0)}  ${value}`);
console.log(`\nprimes below ${LIMIT}`);
