// @ts-check
/**
 * The Chromium suite: headless Chromium (Debian's, driven by
 * playwright-core) loads test/page/ from a local server that sends
 * COOP/COEP, runs every component test program there, then the failure
 * cases. Prints one line per case; returns the failures.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../bin/server.js';
import { transpileAll } from './build.js';
import { judge, tail, within } from './check.js';
import { argsFor, buildDir, wasmDir } from './programs.js';

const TIMEOUT_MS = 60_000;
const root = fileURLToPath(new URL('..', import.meta.url));

export function chromiumPath() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('which', [name], { encoding: 'utf8' }).trim();
    } catch {}
  }
  throw new Error('no chromium found: apt-get install -y chromium (or set CHROMIUM)');
}

/** @param {string[]} [only] */
export async function chromiumSuite(only) {
  /** @type {string[]} */
  const failed = [];
  /** @param {string} name @param {string | null} why @param {string} [extra] */
  const report = (name, why, extra = '') => {
    console.log(`${why ? 'FAIL' : 'pass'} chromium ${name}${extra}`);
    if (why) {
      console.log(why.replace(/^/gm, '    '));
      failed.push(`chromium ${name}`);
    }
  };
  const all = await transpileAll();
  const server = await serve(root, 0);
  const profile = mkdtempSync(join(tmpdir(), 'portalis-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    timeout: TIMEOUT_MS,
  });
  try {
    const page = await context.newPage();
    /** @type {string[]} */
    const consoleLines = [];
    page.on('console', (m) => consoleLines.push(m.text()));
    page.on('pageerror', (e) => consoleLines.push(`page error: ${e.message}`));
    await page.goto(`${server.url}/test/page/index.html`);
    await page.waitForFunction(() => /** @type {any} */ (window).portalisReady, null, { timeout: TIMEOUT_MS });
    const isolated = await page.evaluate(() => /** @type {any} */ (window).portalisTest.isolated);
    if (!isolated) throw new Error('the test page is not cross-origin isolated');
    for (const { name } of all) {
      if (only?.length && !only.includes(name)) continue;
      const t0 = performance.now();
      let why;
      try {
        const r = await within(
          page.evaluate(([n, a]) => /** @type {any} */ (window).portalisTest.run(n, a), /** @type {[string, string[]]} */ ([name, argsFor(name)])),
          TIMEOUT_MS,
          name,
        );
        why = judge(name, r, r.stdout);
        if (why) why += `\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${tail(r.stderr)}`;
      } catch (e) {
        why = `${e instanceof Error ? e.message : e}\n--- console\n${tail(consoleLines.join('\n'))}`;
        // A stuck page: start a fresh one for the next program.
        await page.reload();
        await page.waitForFunction(() => /** @type {any} */ (window).portalisReady, null, { timeout: TIMEOUT_MS });
      }
      report(name, why, ` (${(performance.now() - t0).toFixed(0)} ms)`);
    }
    if (!only?.length) {
      // src/ unbundled (a page that loads the modules as they are, or gives its own preview2-shim).
      const ub = await within(page.evaluate(() => /** @type {any} */ (window).portalisTest.unbundled('thread_smoke', ['thread_smoke'])), TIMEOUT_MS, 'unbundled');
      report('unbundled-runtime', judge('thread_smoke', ub, ub.stdout));
      // A worker that fails to load: a clear error from createRuntime.
      const bad = await within(page.evaluate(() => /** @type {any} */ (window).portalisTest.badWorker()), TIMEOUT_MS, 'bad worker');
      report('worker-load-failure', /a worker failed to load/.test(bad) ? null : `got: ${bad}`);
      // Teardown during work: main's promise rejects, no worker is left.
      const td = await within(page.evaluate(() => /** @type {any} */ (window).portalisTest.teardown()), TIMEOUT_MS, 'teardown');
      report('teardown-during-work', /rejected: .*terminated/.test(td.main) && td.workersLeft === 0 ? null : `got: ${JSON.stringify(td)}`);
      // The page's main thread never blocks.
      const mt = await within(page.evaluate(() => /** @type {any} */ (window).portalisTest.mainThread()), TIMEOUT_MS, 'main thread');
      report('main-thread-never-blocks', mt.locked && mt.blocking === 'unsupported' ? null : `got: ${JSON.stringify(mt)}`);
      // ... and stays responsive while workers compute: a ticker on the page's
      // thread keeps running (no gap of 200 ms or more) through CPU-bound runs.
      const rs = await within(page.evaluate(() => /** @type {any} */ (window).portalisTest.responsive(8)), TIMEOUT_MS, 'responsive');
      report('page-stays-responsive', rs.computeMs > 300 && rs.maxGap < 200 && rs.ticks >= Math.max(20, rs.ms / 50) ? null : `got: ${JSON.stringify(rs)}`,
        ` (${rs.ticks} ticks in ${rs.ms.toFixed(0)} ms of which ${rs.computeMs.toFixed(0)} ms counting primes, longest gap ${rs.maxGap.toFixed(0)} ms)`);
      // A page that is not cross-origin isolated gets a clear error.
      const plain = await context.newPage();
      await plain.goto(`${server.url}/no-isolation/test/page/index.html`);
      await plain.waitForFunction(() => /** @type {any} */ (window).portalisReady, null, { timeout: TIMEOUT_MS });
      const r = await within(plain.evaluate(() => /** @type {any} */ (window).portalisTest.run('thread_smoke', ['thread_smoke'])), TIMEOUT_MS, 'non-isolated');
      report('not-cross-origin-isolated', /not cross-origin isolated/.test(r.error ?? '') ? null : `got: ${JSON.stringify(r)}`);
      await plain.close();
      // The serve-folder CLI's page for examples/primes, if it was built.
      const primes = `${wasmDir}/primes.wasm`;
      if (existsSync(primes)) {
        const out = `${buildDir}primes-web`;
        execFileSync(process.execPath, [fileURLToPath(new URL('../bin/portalis-threading-web.js', import.meta.url)), primes, '-o', out, '--args', '400000'], { stdio: 'ignore' });
        const web = await serve(out, 0);
        try {
          const p = await context.newPage();
          await p.goto(`${web.url}/`);
          await p.fill('#workers', '2');
          await p.click('#run');
          await p.waitForFunction(() => /exit status|rror/.test(/** @type {any} */ (document.getElementById('status')).textContent), null, { timeout: TIMEOUT_MS });
          const text = await p.textContent('#out');
          const status = await p.textContent('#status');
          report('primes-page', /^exit status 0/.test(status ?? '') && /speedup with 2 workers/.test(text ?? '') ? null : `got: ${status}\n${text}`,
            ` (${(/speedup with 2 workers: ([0-9.]+x)/.exec(text ?? '') ?? [])[1] ?? '?'} on 2 workers)`);
          await p.close();
        } finally {
          await web.close();
        }
      }
    }
  } finally {
    await context.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
  return failed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const failed = await chromiumSuite(process.argv.slice(2));
  process.exit(failed.length ? 1 : 0);
}
