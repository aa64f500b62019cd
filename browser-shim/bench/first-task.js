// @ts-check
/**
 * One fresh Node process's first task (bench/run.js starts it several
 * times): ms from process start (performance.timeOrigin) to the runtime
 * being ready and to the result of a no-op task. Prints JSON.
 */
import { createRuntime } from '../src/index.js';

const component = process.argv[2];
const rt = await createRuntime({ component, workers: 2, output: () => {} });
const runtimeReady = performance.now();
await rt.runTask('bench_tasks::noop');
console.log(JSON.stringify({ runtimeReady, firstResult: performance.now() }));
await rt.terminate();
