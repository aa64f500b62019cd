#!/usr/bin/env node
// @ts-check
/**
 * A static file server for pages that use portalis-threading: it sends
 * `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`, which make the page
 * cross-origin isolated (SharedArrayBuffer, Atomics.wait in workers), and
 * the right MIME types for modules and wasm. Paths under `/no-isolation/`
 * are served without those headers (to show the error a page gets then).
 *
 * Files are cacheable but revalidated on every use (`no-cache` with an
 * ETag; an unchanged file is a 304), so a rebuilt file is always fetched
 * fresh while an unchanged one is reused with the code the browser
 * compiled for it. `serve(root, port, { cache: false })` sends `no-store`
 * instead (a cold load every time: the benchmarks' first-visit numbers).
 *
 * Usage: node server.js [ROOT] [--port N]   (default: this folder, port 8080)
 */
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.map': 'application/json',
};

/**
 * Serves `root` on `port` (0: any free port) on 127.0.0.1.
 * @param {string} root @param {number} port @param {{ cache?: boolean }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export function serve(root, port, { cache = true } = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    let path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const isolate = !path.startsWith('/no-isolation/');
    if (!isolate) path = path.slice('/no-isolation'.length);
    let file = normalize(join(base, path));
    if (!file.startsWith(base)) {
      res.writeHead(403).end();
      return;
    }
    let stat;
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      stat = statSync(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
      return;
    }
    /** @type {Record<string, string>} */
    const headers = {
      'content-type': TYPES[/** @type {keyof TYPES} */ (extname(file))] ?? 'application/octet-stream',
      'cache-control': cache ? 'no-cache' : 'no-store',
      'cross-origin-resource-policy': 'same-origin',
    };
    if (isolate) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    if (cache) {
      const etag = `"${stat.size.toString(36)}-${Math.round(stat.mtimeMs * 1000).toString(36)}"`;
      headers.etag = etag;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, headers).end();
        return;
      }
    }
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => {
    server.listen(port, '127.0.0.1', () => {
      const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
      ok({
        url: `http://127.0.0.1:${addr.port}`,
        close: () => new Promise((done) => { server.closeAllConnections(); server.close(() => done()); }),
      });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const p = args.indexOf('--port');
  const port = p >= 0 ? Number(args[p + 1]) : 8080;
  const root = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--port') ?? fileURLToPath(new URL('.', import.meta.url));
  const { url } = await serve(root, port);
  console.log(`serving ${resolve(root)} at ${url}/ (cross-origin isolated)`);
}
