// @ts-check
/**
 * What differs between browsers and Node: how a worker is started and how
 * it talks to its parent.
 */

export const isNode =
  typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

/**
 * Starts a worker running `url` (an ES module) and returns a uniform handle.
 * `boot` reaches the worker with its start: as `workerData` in Node, as the
 * script URL's `boot` query parameter (JSON) in browsers.
 * @param {URL} url
 * @param {string} name
 * @param {any} boot
 * @returns {Promise<{ post: (m: any) => void, onMessage: (f: (m: any) => void) => void,
 *   onError: (f: (message: string) => void) => void, terminate: () => Promise<void> }>}
 */
export async function startWorker(url, name, boot) {
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(url, { name, stdout: false, stderr: false, workerData: boot });
    w.unref();
    let ended = false;
    /** @type {(message: string) => void} */
    let onError = () => {};
    w.on('error', (e) => {
      ended = true;
      onError(e?.stack || String(e));
    });
    w.on('exit', (code) => {
      if (!ended) onError(`the worker exited (code ${code})`);
      ended = true;
    });
    return {
      post: (m) => w.postMessage(m),
      onMessage: (f) => w.on('message', f),
      onError: (f) => (onError = f),
      terminate: () => {
        ended = true;
        return w.terminate().then(() => undefined);
      },
    };
  }
  const withBoot = new URL(url);
  withBoot.searchParams.set('boot', JSON.stringify(boot));
  const w = new Worker(withBoot, { type: 'module', name });
  /** @type {(message: string) => void} */
  let onError = () => {};
  w.addEventListener('error', (e) => {
    e.preventDefault();
    onError(e.message || `the worker script ${url} could not be loaded`);
  });
  w.addEventListener('messageerror', () => onError('a message to the worker could not be deserialized'));
  return {
    post: (m) => w.postMessage(m),
    onMessage: (f) => w.addEventListener('message', (e) => f(e.data)),
    onError: (f) => (onError = f),
    terminate: () => {
      w.terminate();
      return Promise.resolve();
    },
  };
}

/**
 * The current worker's channel to its parent.
 * @returns {Promise<{ post: (m: any) => void, onMessage: (f: (m: any) => void) => void }>}
 */
export async function parentChannel() {
  if (isNode) {
    const { parentPort } = await import('node:worker_threads');
    if (!parentPort) throw new Error('not running in a worker');
    return { post: (m) => parentPort.postMessage(m), onMessage: (f) => parentPort.on('message', f) };
  }
  const scope = /** @type {any} */ (globalThis);
  return {
    post: (m) => scope.postMessage(m),
    onMessage: (f) => scope.addEventListener('message', (/** @type {MessageEvent} */ e) => f(e.data)),
  };
}

/** How many workers can run in parallel here. */
export async function hardwareParallelism() {
  if (isNode) {
    const os = await import('node:os');
    return os.availableParallelism?.() ?? os.cpus().length;
  }
  return globalThis.navigator?.hardwareConcurrency || 1;
}
