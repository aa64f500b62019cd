#!/usr/bin/env node
// @ts-check
/**
 * Turns a guest component into a ready-to-serve folder:
 *
 *   portalis-threading-web APP.wasm -o OUT [--title TEXT] [--args "A B"] [--keep-debug]
 *
 * OUT/app/        the component transpiled by jco (--instantiation async);
 *                 its core modules without DWARF unless --keep-debug
 * OUT/portalis-threading/   this package's runtime, bundled (dist/: index.js,
 *                           and pool-worker.js with preview2-shim inside)
 * OUT/index.html, OUT/main.js   a page that runs the program's main on a
 *                               worker pool and shows its output
 * OUT/serve.mjs   a static server sending COOP/COEP: `node OUT/serve.mjs [--port N]`
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle } from './bundle.js';
import { transpileFile } from './transpile.js';

const usage = 'usage: portalis-threading-web APP.wasm -o OUT_DIR [--title TEXT] [--args "A B C"] [--keep-debug]';
const argv = process.argv.slice(2);
/** @param {string} flag */
const opt = (flag) => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const wasm = argv.find((a, i) => a.endsWith('.wasm') && !['-o', '--title', '--args'].includes(argv[i - 1]));
const out = opt('-o') ?? opt('--out');
if (!wasm || !out) {
  console.error(usage);
  process.exit(2);
}
const pkg = fileURLToPath(new URL('..', import.meta.url));
const title = opt('--title') ?? basename(wasm, '.wasm');
const args = (opt('--args') ?? '').split(' ').filter(Boolean);

mkdirSync(out, { recursive: true });
try {
  await transpileFile(resolve(wasm), resolve(out, 'app'), 'app', { keepDebug: argv.includes('--keep-debug') });
} catch (e) {
  console.error(`cannot transpile ${wasm}: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
await bundle();
cpSync(resolve(pkg, 'dist'), resolve(out, 'portalis-threading'), { recursive: true });
cpSync(resolve(pkg, 'bin/server.js'), resolve(out, 'serve.mjs'));
writeFileSync(resolve(out, 'index.html'), `<!doctype html>
<meta charset="utf-8">
<title>${title}</title>
<style>body{font:15px system-ui;margin:2em;max-width:60em} pre{background:#f4f4f4;padding:1em;min-height:6em;white-space:pre-wrap}</style>
<h1>${title}</h1>
<p>Runs the program's <code>main</code> on a pool of Web Workers (portalis-threading).
<label>Arguments <input id="args" size="40" value="${args.join(' ')}"></label>
<label>Workers <input id="workers" type="number" min="1" max="64" size="3"></label>
<button id="run">Run</button> <span id="status"></span></p>
<pre id="out"></pre>
<script type="module" src="./main.js"></script>
`);
writeFileSync(resolve(out, 'main.js'), `import { createRuntime } from './portalis-threading/index.js';

const $ = (id) => document.getElementById(id);
$('workers').value = navigator.hardwareConcurrency || 2;
const decoder = [new TextDecoder(), new TextDecoder()];
$('run').onclick = async () => {
  $('out').textContent = '';
  $('run').disabled = true;
  $('status').textContent = 'starting workers...';
  let rt;
  try {
    const workers = Number($('workers').value) || 2;
    rt = await createRuntime({
      component: new URL('./app/app.js', import.meta.url),
      workers,
      parallelism: workers,
      args: ['app', ...$('args').value.split(' ').filter(Boolean)],
      output: (fd, bytes) => { $('out').textContent += decoder[fd - 1].decode(bytes, { stream: true }); },
    });
    $('status').textContent = 'running...';
    const t0 = performance.now();
    const { status, error } = await rt.runMain();
    $('status').textContent = \`exit status \${status}\${error ? ' (' + error + ')' : ''} in \${(performance.now() - t0).toFixed(0)} ms\`;
  } catch (e) {
    $('status').textContent = String(e.message ?? e);
  } finally {
    rt?.terminate();
    $('run').disabled = false;
  }
};
`);
console.log(`wrote ${out}: serve it with \`node ${out}/serve.mjs\` and open http://127.0.0.1:8080/`);
