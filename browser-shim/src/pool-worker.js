// @ts-check
/**
 * A pool worker: loads the transpiled component once, keeps a fresh
 * instance ready, and runs what the broker sends it: a spawned task (on a
 * fresh instance, discarded after), a pool thread's tasks (one warm
 * instance, replaced after a trap), or the program's main.
 *
 * Calls to `portalis:threading` go to the broker as messages; the worker
 * then blocks in `Atomics.wait` on its reply slot (see shared-memory.js).
 */

// What to load comes with the worker's start (the script URL's query in
// browsers, workerData in Node), so preview2-shim and the component's JS
// load at once, beside this package's own modules and while the broker
// still compiles the core modules: dynamic imports, all in parallel.
/** @type {{ shimUrl: string | null, componentUrl: string }} shimUrl null: in this bundle (bin/bundle.js) */
const boot = typeof self !== 'undefined' && typeof self.location?.href === 'string'
  ? JSON.parse(new URL(self.location.href).searchParams.get('boot') ?? 'null')
  : (await import('node:worker_threads')).workerData;
const loading = Promise.all([
  boot.shimUrl ? import(boot.shimUrl) : import('@bytecodealliance/preview2-shim'),
  import(boot.componentUrl),
]);
// A failed import is reported by 'init', not as an unhandled rejection.
loading.catch(() => {});
const [{ ThreadingError }, { threadingImports }, { parentChannel }, { SLOT_BYTES, SlotReader, SlotWriter }, { decode, encode }, { Cells, finish }] = await Promise.all([
  import('./errors.js'), import('./interfaces/index.js'), import('./platform.js'), import('./shared-memory.js'),
  import('./codec.js'), import('./direct-reply.js'),
]);

const parent = await parentChannel();
/** @type {number[]} handles dropped lazily (`link.drop`), sent with the next message */
let lazyDrops = [];
/** Messages that change nothing another thread can observe (see `quiet`). */
const UNOBSERVABLE = new Set(['done', 'claimed', 'instance-start']);
/** Sends `msg` to the broker, with the handles dropped lazily since the last message. @param {any} msg */
const post = (msg) => {
  if (!UNOBSERVABLE.has(msg.t)) quiet = false;
  if (lazyDrops.length) {
    msg.drops = lazyDrops;
    lazyDrops = [];
  }
  parent.post(msg);
};

/** @type {any} */ let shim;
/** @type {Function} */ let instantiate;
/** @type {Record<string, WebAssembly.Module>} */ let modules;
/** @type {import('./shared-memory.js').SlotReader} */ let slot;
/** @type {{ args: string[], env: [string, string][], parallelism: number }} */ let run;
/** The id of the worker the current task runs as (0 for main). */
let currentId = 0n;
/** @type {string | null} */ let panicMessage = null;
/** @type {Promise<any> | null} a fresh instance, not used yet */ let spare = null;
/** @type {any} the pool thread's warm instance */ let warm = null;
/** @type {import('./direct-reply.js').Cells} direct-reply cells */ let cells;
/** @type {Map<number, import('./shared-memory.js').SlotWriter>} every worker's reply slot, by index: a pool task's waiter may be answered directly */
const peers = new Map();
/**
 * Whether this worker has sent the broker nothing observable (a call,
 * output, a drop, an instance's end, an exit) since the broker last
 * dispatched a task to it (a `run`, posted only once it has handled all
 * this worker sent before). A claimed offer keeps it: the previous task's
 * messages may still be on their way. `post` clears it.
 */
let quiet = true;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** @type {import('./interfaces/runtime-link.js').Link} */
const link = {
  call(op, args) {
    const r = slot.request({ t: 'call', op, args });
    if ('ok' in r) return r.ok;
    if ('err' in r) throw new ThreadingError(r.err);
    throw new Error(`portalis-threading broker: ${r.fatal}`);
  },
  drop(h, lazy) {
    if (lazy) {
      lazyDrops.push(h);
      return;
    }
    post({ t: 'drop', h });
  },
  currentId: () => currentId,
  get parallelism() {
    return run.parallelism;
  },
  sleep(ns) {
    const ms = Number(ns) / 1e6;
    const until = performance.now() + ms;
    for (let left = ms; left > 0; left = until - performance.now()) {
      Atomics.wait(sleeper, 0, 0, Math.min(left, 2 ** 31 - 1));
    }
  },
  reportPanic(message) {
    panicMessage = message;
  },
  waitTask(cell, seq, wait) {
    const ms = wait.tag === 'forever' ? Infinity : wait.tag === 'immediate' ? 0 : Number(BigInt(wait.val)) / 1e6;
    const start = performance.now();
    if (ms > 0 && cells.waitHere(cell, seq, ms) === 'timeout') return { reply: { err: { tag: 'timeout' } } };
    const bytes = cells.reply(cell, seq);
    if (bytes) return { reply: decode(bytes) };
    // The broker answers; a timed wait keeps its deadline.
    if (ms === 0 || ms === Infinity) return { wait };
    const left = Math.max(0, ms - (performance.now() - start));
    return { wait: { tag: 'timeout', val: BigInt(Math.round(left * 1e6)) } };
  },
};

/** An output stream handler that forwards bytes to the broker. @param {1 | 2} fd */
const output = (fd) => ({
  /** @param {Uint8Array} bytes */
  write(bytes) {
    post({ t: 'out', fd, bytes: bytes.slice() });
  },
  flush() {},
  blockingFlush() {},
});

/** The import object for a new instance: ours plus preview2-shim's. */
function importObject() {
  const cli = shim.cli.createCli({
    arguments: run.args,
    environment: Object.fromEntries(run.env),
    stdout: output(1),
    stderr: output(2),
  });
  const ours = threadingImports(link);
  /** @param {string} key */
  const lookup = (key) => {
    if (key in ours) return ours[key];
    const bare = key.replace(/@[^/]*$/, '');
    const m = /^wasi:([a-z-]+)\/([a-z-]+)$/.exec(bare);
    if (!m) return undefined;
    const iface = m[2].replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (m[1] === 'cli') return /** @type {any} */ (cli)[iface];
    return shim[m[1]]?.[iface];
  };
  return new Proxy({}, { get: (_t, key) => (typeof key === 'string' ? lookup(key) : undefined), has: (_t, key) => typeof key === 'string' && lookup(key) !== undefined });
}

function freshInstance() {
  return instantiate((/** @type {string} */ name) => {
    const m = modules[name];
    if (!m) throw new Error(`no core module named ${name} was compiled for this component`);
    return m;
  }, importObject());
}

/**
 * What a call that threw means.
 * @param {any} e @returns {{ exit: number } | { err: any } | { trap: string }}
 */
function failure(e) {
  if (e && e.exitError) return { exit: Number(e.code) };
  if (e && Object.prototype.hasOwnProperty.call(e, 'payload')) return { err: e.payload };
  const message = panicMessage ?? (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  return { trap: message };
}

/**
 * Ends a pool task in its direct-reply cell and answers the waiter handed
 * over, if the result can skip the broker: nothing this worker sent is
 * still on its way there (`quiet`), the task did not trap, and the reply
 * fits a slot. Returns whether it answered one.
 * @param {any} msg @param {any} result @param {boolean} kept
 */
function answerDirectly(msg, result, kept) {
  const encoded = kept && quiet ? encode(result) : null;
  const bytes = encoded && encoded.length <= SLOT_BYTES ? encoded : null;
  const waiter = finish(cells, msg.cell, msg.cellSeq, bytes);
  if (waiter < 0) return false;
  // Always known: its `peer` message came before any task it can wait on.
  // Were it not, `done` says so and the broker answers.
  const to = peers.get(waiter);
  to?.write(/** @type {Uint8Array} */ (bytes));
  return to !== undefined;
}

/** @param {any} msg */
async function onRun(msg) {
  currentId = BigInt(msg.owner);
  panicMessage = null;
  let inst = msg.kind === 'pool' ? warm : null;
  if (!inst) {
    inst = await (spare ?? freshInstance());
    spare = null;
    post({ t: 'instance-start' });
  }
  if (msg.kind === 'main') {
    let status = 0;
    let error;
    try {
      inst.run.run();
    } catch (e) {
      const f = failure(e);
      if ('exit' in f) status = f.exit;
      else if ('err' in f) status = 1;
      else {
        status = 134;
        error = f.trap;
      }
    }
    post({ t: 'instance-end' });
    post({ t: 'main-done', status, error });
    return;
  }
  const entry = inst['portalis:threading/worker@0.1.0'] ?? inst.worker;
  /** @type {any} */
  let result;
  let keep = msg.kind === 'pool';
  try {
    result = { ok: entry.run(msg.entry, msg.input) };
  } catch (e) {
    const f = failure(e);
    if ('exit' in f) {
      post({ t: 'exit', code: f.exit });
      result = { err: { tag: 'panicked', val: `the worker called exit(${f.exit})` } };
      keep = false;
    } else if ('err' in f) {
      result = { err: f.err };
    } else {
      result = { err: { tag: 'panicked', val: f.trap } };
      keep = false;
    }
  }
  if (keep) {
    warm = inst;
  } else {
    warm = null;
    // The instance and the locks it held are gone before the joiner sees the result.
    post({ t: 'instance-end' });
  }
  post({ t: 'done', result, direct: msg.cell >= 0 && answerDirectly(msg, result, keep) });
  spare ??= freshInstance();
}

/** Messages are handled one at a time, in order (a run may await an instance). */
let handled = Promise.resolve();
parent.onMessage((msg) => {
  handled = handled.then(() => onMessage(msg));
});

/** @param {any} msg */
async function onMessage(msg) {
  try {
    switch (msg.t) {
      case 'init': {
        ({ modules, run } = msg);
        slot = new SlotReader(msg.slot, post);
        cells = new Cells(msg.cells);
        for (const [index, shared] of msg.peers) peers.set(index, new SlotWriter(shared));
        let component;
        [shim, component] = await loading;
        ({ instantiate } = component);
        if (typeof instantiate !== 'function') {
          throw new Error(`${boot.componentUrl} exports no instantiate(): transpile with \`jco transpile --instantiation async\``);
        }
        spare = freshInstance();
        const inst = await spare;
        if (msg.reportEntries) {
          const w = inst['portalis:threading/worker@0.1.0'] ?? inst.worker;
          // The probe instance answered `entries`; keep a pristine one as the
          // spare (prepared while the first task can already be dispatched).
          post({ t: 'entries', list: w ? w.entries() : null });
          spare = freshInstance();
        }
        post({ t: 'ready' });
        break;
      }
      case 'run':
        quiet = true;
        await onRun(msg);
        break;
      case 'offer':
        // A pool task offered ahead: ours unless the broker took it back.
        if (Atomics.compareExchange(slot.ctrl, 3, msg.seq, -msg.seq) === msg.seq) {
          post({ t: 'claimed' });
          await onRun({ ...msg, kind: 'pool' });
        }
        break;
      case 'peer':
        peers.set(msg.index, new SlotWriter(msg.slot));
        break;
      case 'peer-gone':
        peers.delete(msg.index);
        break;
      case 'retire':
        // A pool thread ends: its instance goes, the worker is free again.
        if (warm) post({ t: 'instance-end' });
        warm = null;
        post({ t: 'retired' });
        break;
      default:
        throw new Error(`unknown message ${msg.t}`);
    }
  } catch (e) {
    post({ t: 'fatal', message: e instanceof Error ? e.stack || e.message : String(e) });
  }
}
post({ t: 'loaded' });
