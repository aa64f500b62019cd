// @ts-check
/**
 * The floor under the first-task measurement: a page whose one module
 * starts one module worker that answers at once, served the same way as
 * bench/page/. No runtime of ours can have its first result sooner than a
 * worker can answer; ms since navigation start, as for the first task.
 */
const moduleStart = performance.now();
/** @type {Promise<{ moduleStart: number, workerAnswered: number }>} */
const answered = new Promise((resolve) => {
  const worker = new Worker(new URL('./floor-worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = () => {
    resolve({ moduleStart, workerAnswered: performance.now() });
    worker.terminate();
  };
});
/** @type {any} */ (window).floor = () => answered;
