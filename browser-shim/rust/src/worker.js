// The script of every pool worker (a module worker started from a Blob URL).
//
// The owner posts one init message. The worker imports the program's
// wasm-bindgen glue, instantiates the same module over the shared memory
// (wasm-bindgen allocates this thread's stack and TLS), and then loops:
// run queued jobs in wasm until the queue is empty, then wait for the pool's
// epoch word with Atomics.waitAsync, so the worker's event loop stays free
// while it is idle. Idleness lives in shared memory, never in messages.
//
// Word offsets must match `WorkerRecord` and `task::TaskHeader` in Rust.
const STATUS_IDLE = 1, STATUS_BUSY = 2, STATUS_DEAD = 4;
const TASK_RUNNING = 1, TASK_TRAPPED = 4;

let init = null;

self.onmessage = async (event) => {
    const msg = event.data;
    if (init !== null || !msg || msg.kind !== 'portalis-init') return;
    init = msg;
    let wbg, wasm;
    try {
        wbg = await import(msg.glue);
        wasm = await wbg.default({
            module_or_path: msg.module,
            memory: msg.memory,
            thread_stack_size: msg.stackSize,
        });
        wbg.__portalis_web_worker_ready(msg.shared, msg.index);
    } catch (e) {
        died(e, null);
        return;
    }
    const words = () => new Int32Array(msg.memory.buffer);
    for (;;) {
        let seen;
        try {
            seen = wbg.__portalis_web_worker_run(msg.shared, msg.index);
        } catch (e) {
            died(e, wasm);
            return;
        }
        if (seen < 0) break;
        if (typeof Atomics.waitAsync === 'function') {
            const r = Atomics.waitAsync(words(), msg.epochAddr >>> 2, seen);
            if (r.async) await r.value;
        } else {
            Atomics.wait(words(), msg.epochAddr >>> 2, seen, 50);
            await new Promise((resolve) => setTimeout(resolve, 0));
        }
    }
    wbg.__portalis_web_worker_exit(msg.shared, msg.index);
    // Frees this thread's stack and TLS; the instance is unusable after.
    wasm.__wbindgen_thread_destroy();
    self.postMessage({ kind: 'portalis-exited', index: msg.index });
    self.close();
};

// The wasm call trapped (a Rust panic aborts; its hook already recorded the
// message) or start-up failed. Mark the running task with plain Atomics (no
// call into a trapped instance), fix the pool's counts, and tell the owner,
// which frees this thread's stack and TLS and starts a replacement.
function died(e, wasm) {
    const i32 = new Int32Array(init.memory.buffer);
    const rec = init.recordAddr >>> 2;
    const task = Atomics.load(i32, rec + 1);
    if (task !== 0 && Atomics.compareExchange(i32, task >>> 2, TASK_RUNNING, TASK_TRAPPED) === TASK_RUNNING) {
        Atomics.notify(i32, task >>> 2);
    }
    const old = Atomics.exchange(i32, rec, STATUS_DEAD);
    const wasReady = old === STATUS_IDLE || old === STATUS_BUSY;
    if (wasReady) {
        Atomics.sub(i32, init.readyAddr >>> 2, 1);
    }
    Atomics.notify(i32, init.readyAddr >>> 2);
    self.postMessage({
        kind: 'portalis-dead',
        index: init.index,
        wasReady,
        message: String(e && e.message ? e.message : e),
        tlsBase: wasm && wasm.__tls_base ? wasm.__tls_base.value : 0,
        stackAlloc: wasm && wasm.__stack_alloc ? wasm.__stack_alloc.value : 0,
    });
    self.close();
}
