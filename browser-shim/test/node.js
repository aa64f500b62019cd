// @ts-check
/**
 * The Node suite: every component test program on worker_threads, then the
 * failure cases. Prints one line per case; returns the failures.
 */
import { createRuntime } from '../src/index.js';
import { transpileAll } from './build.js';
import { judge, tail, within } from './check.js';
import { failureCases } from './failures.js';
import { argsFor, buildDir, wasmDir } from './programs.js';
import { readFileSync, readdirSync } from 'node:fs';
import { stripDebugSections } from '../bin/strip-debug.js';
import { directReplyStress } from './direct-reply-stress.js';

const TIMEOUT_MS = 60_000;

/** @param {string} name @param {string} js */
export async function runOne(name, js) {
  let stdout = '';
  let stderr = '';
  const decoder = new TextDecoder();
  /** @type {import('../src/index.js').Runtime | null} */
  let rt = null;
  try {
    rt = await within(
      createRuntime({
        component: js,
        workers: 3,
        args: argsFor(name),
        output: (fd, bytes) => {
          if (fd === 1) stdout += decoder.decode(bytes, { stream: true });
          else stderr += decoder.decode(bytes, { stream: true });
        },
      }),
      TIMEOUT_MS,
      'starting the pool',
    );
    const result = await within(rt.runMain(), TIMEOUT_MS, name);
    const why = judge(name, result, stdout);
    return why ? `${why}\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}` : null;
  } catch (e) {
    return `${e instanceof Error ? e.message : e}\n--- stdout\n${tail(stdout)}\n--- stderr\n${tail(stderr)}`;
  } finally {
    rt?.terminate();
  }
}

/** @param {string[]} [only] */
export async function nodeSuite(only) {
  /** @type {string[]} */
  const failed = [];
  const all = await transpileAll();
  for (const { name, js } of all) {
    if (only?.length && !only.includes(name)) continue;
    const t0 = performance.now();
    const why = await runOne(name, js);
    const ms = (performance.now() - t0).toFixed(0);
    console.log(`${why ? 'FAIL' : 'pass'} node ${name} (${ms} ms)`);
    if (why) {
      console.log(why.replace(/^/gm, '    '));
      failed.push(`node ${name}`);
    }
  }
  if (!only?.length) {
    for (const c of failureCases) {
      const why = await within(c.node(all), TIMEOUT_MS, c.name).then(
        (w) => w,
        (e) => String(e?.message ?? e),
      );
      console.log(`${why ? 'FAIL' : 'pass'} node ${c.name}`);
      if (why) {
        console.log(`    ${why}`);
        failed.push(`node ${c.name}`);
      }
    }
    const why = withoutDebugInfo(all.map((p) => p.name));
    console.log(`${why ? 'FAIL' : 'pass'} node transpiled-without-debug-info`);
    if (why) {
      console.log(`    ${why}`);
      failed.push('node transpiled-without-debug-info');
    }
    // The direct-reply cells' races, on real threads (src/direct-reply.js).
    const t0 = performance.now();
    const stress = await within(directReplyStress(), TIMEOUT_MS, 'direct-reply stress').catch((e) => String(e?.message ?? e));
    console.log(`${stress ? 'FAIL' : 'pass'} node direct-reply-protocol (${(performance.now() - t0).toFixed(0)} ms)`);
    if (stress) {
      console.log(`    ${stress}`);
      failed.push('node direct-reply-protocol');
    }
  }
  return failed;
}

/**
 * The programs above ran on core modules stripped of DWARF: check that the
 * components had some and that none is left.
 * @param {string[]} names @returns {string | null}
 */
function withoutDebugInfo(names) {
  const marker = new TextEncoder().encode('.debug_info');
  const has = (/** @type {Uint8Array} */ b) => Buffer.from(b).includes(marker);
  if (!names.some((n) => has(readFileSync(`${wasmDir}/${n}.wasm`)))) {
    return 'no component had debug info to strip';
  }
  for (const name of names) {
    for (const f of readdirSync(`${buildDir}${name}`).filter((f) => f.endsWith('.wasm'))) {
      const bytes = new Uint8Array(readFileSync(`${buildDir}${name}/${f}`));
      if (stripDebugSections(bytes) !== bytes) return `${name}/${f} still has .debug_* sections`;
    }
  }
  return null;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const failed = await nodeSuite(process.argv.slice(2));
  process.exit(failed.length ? 1 : 0);
}
