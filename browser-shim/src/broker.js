// @ts-check
/**
 * The broker: every shared object of a run, the handles and tokens that
 * name them, and the workers, all owned by one thread that never blocks
 * (the page's main thread, or Node's). Workers send it requests as
 * messages and block in `Atomics.wait` until it writes the reply into
 * their slot; a request that cannot complete yet waits in the object's
 * queue (with a timer for a timed wait), so blocking never costs the broker
 * anything. One thread owning all state means the objects need no locks
 * of their own and their semantics are exact (FIFO queues, all-or-nothing
 * broadcast, barrier generations) instead of approximated with atomics.
 */
import { decode, encode } from './codec.js';
import { CellTable, newCells } from './direct-reply.js';
import { E, NO_BLOCKING_HERE, ThreadingError } from './errors.js';
import {
  BarrierObj, BroadcastObj, ChannelObj, ConditionObj, EventObj, MutexObj, RwLockObj,
  SemaphoreObj, SubscriptionObj, err, ok, pump, unqueue,
} from './objects.js';
import { isNode, startWorker } from './platform.js';
import { SlotWriter, newSlot } from './shared-memory.js';

/** @typedef {import('./objects.js').Reply} Reply */
/** @typedef {import('./objects.js').Waiter} Waiter */
/** `replySlot`: the index of the worker slot its calls are answered on (-1: the broker's own thread). */
/** @typedef {{ owner: string, canBlock: boolean, handles: Set<number>, replySlot: number }} Session */
/** @typedef {{ kind: string, obj: any, session: Session }} HandleEntry */
/** @typedef {{ id: bigint, name?: string, finished: boolean, result: Reply | null, waiters: Waiter[] }} ThreadRec */
/**
 * A pool task. `cell`/`seq`: its direct-reply cell while dispatched or
 * offered to a pool worker (-1 otherwise), `direct`: its waiter handed to
 * that worker to answer (see direct-reply.js).
 * @typedef {{ state: 'pending' | 'running' | 'done' | 'cancelled', result: Reply | null, waiters: Waiter[], entry: string, input: Uint8Array,
 *   offer?: number, offerCtrl?: Int32Array, offeredTo?: PoolThread, cell: number, seq: number, direct: Waiter | null }} TaskRec */

const MAX_TIMER_MS = 2 ** 31 - 1;

class PoolRec {
  /** @param {number} n */
  constructor(n) {
    this.n = n;
    /** @type {PoolThread[]} */ this.threads = [];
    /** @type {TaskRec[]} */ this.queue = [];
    this.closed = false;
    this.cancelPending = false;
    this.exited = false;
    this.live = n;
    /** pool handles and unredeemed tokens */
    this.handles = 0;
    /** @type {Waiter[]} */ this.exitWaiters = [];
  }
}

/**
 * A pool thread. `next` is a task offered to it ahead (see #poolDispatch):
 * still pending, claimed by the worker or withdrawn by the broker through
 * word 3 of the worker's reply slot (`offer` there: offered; `-offer`:
 * claimed; 0: withdrawn).
 * `unclaimed`: the offer number of a task promoted from `next` to `task`
 * before the worker claimed it (no new offer may overwrite the word yet).
 * @typedef {{ id: bigint, pool: PoolRec, slot: WorkerSlot | null, task: TaskRec | null, next: TaskRec | null, unclaimed: number, exited: boolean }} PoolThread
 */

/** @typedef {{ type: 'spawn', rec: ThreadRec, entry: string, input: Uint8Array }
 *   | { type: 'main', done: (r: { status: number, error?: string }) => void, fail: (e: Error) => void }
 *   | { type: 'pool-thread', pt: PoolThread }} Job */

class WorkerSlot {
  /** @param {number} index */
  constructor(index) {
    this.index = index;
    /** @type {'loading' | 'idle' | 'busy' | 'pool' | 'dead'} */ this.state = 'loading';
    /** @type {Session | null} */ this.session = null;
    this.owner = '';
    /** @type {Job | null} */ this.job = null;
    /** @type {PoolThread | null} */ this.poolThread = null;
    /** @type {any} */ this.link = null;
    /** @type {SlotWriter | null} */ this.writer = null;
    /** @type {{ ctrl: SharedArrayBuffer, data: SharedArrayBuffer } | null} the reply slot's memory */ this.shared = null;
    /** whether the worker was sent `init` (it learns of later workers' slots by `peer`) */ this.inited = false;
  }
}

export class Broker {
  /**
   * @param {object} o
   * @param {URL} o.componentUrl  the transpiled component's JS
   * @param {URL | null} o.shimUrl  preview2-shim's browser index.js; null: the worker script has it inside
   * @param {URL} o.workerUrl  this package's pool-worker.js
   * @param {Record<string, WebAssembly.Module> | Promise<Record<string, WebAssembly.Module>>} o.modules
   *   the compiled core modules, or their compilation: workers start (and load
   *   preview2-shim and the component's JS) while it runs
   * @param {number} o.parallelism
   * @param {number} o.maxWorkers
   * @param {string[]} o.args
   * @param {[string, string][]} o.env
   * @param {(fd: 1 | 2, bytes: Uint8Array) => void} o.output
   */
  constructor(o) {
    this.o = o;
    /** @type {Map<number, HandleEntry>} */ this.handles = new Map();
    /** @type {Map<bigint, { kind: string, obj: any }>} */ this.tokens = new Map();
    /** @type {Map<string, Set<any>>} locks each owner holds */ this.held = new Map();
    this.nextHandle = 1;
    this.nextWorkerId = 1n;
    /** workers reserved: main, spawned and pool threads */
    this.liveWorkers = 0;
    /** @type {WorkerSlot[]} */ this.slots = [];
    /** @type {WorkerSlot[]} */ this.idle = [];
    /** @type {Job[]} */ this.jobs = [];
    /** @type {Waiter[]} */ this.anyWaiters = [];
    /** @type {Set<string> | null} */ this.entries = null;
    this.terminated = false;
    /** @type {Error | null} */ this.loadError = null;
    /** @type {(() => void)[]} */ this.readyWaiters = [];
    /** @type {((e: Error) => void)[]} */ this.failWaiters = [];
    /** @type {Set<(e: Error) => void>} callers of runTask still waiting */ this.taskCallers = new Set();
    /** @type {Promise<Record<string, WebAssembly.Module>> | null} */ this.modulesReady = null;
    /** the last pool task offer's number */ this.offerSeq = 0;
    /** @type {CellTable | null} direct-reply cells, made with the first worker's slot */ this.cells = null;
    /** @type {(() => void)[] | null} posts to workers held back until a reply is written */ this.postLater = null;
  }

  // ---- workers -------------------------------------------------------

  /** Starts `n` workers and waits until they are loaded and the component's entries are known. @param {number} n */
  async start(n) {
    const ready = new Promise((resolve, reject) => {
      this.readyWaiters.push(() => resolve(undefined));
      this.failWaiters.push(reject);
    });
    for (let i = 0; i < Math.max(1, n); i++) this.#startWorker();
    this.#modules().catch((e) => {
      this.loadError ??= e instanceof Error ? e : new Error(String(e));
      for (const f of this.failWaiters.splice(0)) f(this.loadError);
    });
    await ready;
  }

  /** The compiled core modules (awaited once). */
  #modules() {
    this.modulesReady ??= Promise.resolve(this.o.modules);
    return this.modulesReady;
  }

  #startWorker() {
    if (this.loadError) throw this.loadError;
    const slot = new WorkerSlot(this.slots.length);
    this.slots.push(slot);
    const shared = newSlot();
    this.cells ??= new CellTable(newCells());
    slot.writer = new SlotWriter(shared);
    slot.shared = shared;
    // Pool workers answer waiters on any slot directly (direct-reply.js).
    this.#tellWorkers({ t: 'peer', index: slot.index, slot: shared });
    const reportEntries = slot.index === 0;
    const boot = { shimUrl: this.o.shimUrl && String(this.o.shimUrl), componentUrl: String(this.o.componentUrl) };
    startWorker(this.o.workerUrl, `portalis-worker-${slot.index}`, boot).then(
      (link) => {
        if (this.terminated) {
          link.terminate();
          return;
        }
        slot.link = link;
        link.onError((m) => this.#workerFailed(slot, m));
        link.onMessage((msg) => {
          if (this.terminated) return;
          if (msg.t === 'loaded') {
            // The worker is importing the JS; the modules follow once compiled.
            this.#modules().then((modules) => {
              if (this.terminated || slot.state === 'dead') return;
              const peers = this.slots.filter((s) => s.shared && s.state !== 'dead').map((s) => [s.index, s.shared]);
              slot.inited = true;
              link.post({
                t: 'init', slot: shared, modules, reportEntries, cells: this.#cells().shared, peers,
                run: { args: this.o.args, env: this.o.env, parallelism: this.o.parallelism },
              });
            }, () => {}); // start() reports a compile error
          } else {
            this.#onMessage(slot, msg);
          }
        });
      },
      (e) => this.#workerFailed(slot, String(e?.message ?? e)),
    );
  }

  /** Posts `msg` to every live worker that was sent `init` (later ones get the state in theirs). @param {any} msg */
  #tellWorkers(msg) {
    for (const s of this.slots) if (s.inited && s.state !== 'dead') s.link.post(msg);
  }

  /** @param {WorkerSlot} slot @param {string} message */
  #workerFailed(slot, message) {
    if (this.terminated || slot.state === 'dead') return;
    const loading = slot.state === 'loading';
    slot.state = 'dead';
    slot.link?.terminate();
    // Its reply slot is no one's to answer any more.
    this.#tellWorkers({ t: 'peer-gone', index: slot.index });
    this.idle = this.idle.filter((s) => s !== slot);
    const why = loading ? `a worker failed to load: ${message}` : `a worker failed: ${message}`;
    if (loading) {
      this.loadError = new Error(`portalis-threading: ${why}`);
      for (const f of this.failWaiters.splice(0)) f(this.loadError);
      // Nothing queued can ever start.
      for (const job of this.jobs.splice(0)) this.#failJob(job, why);
    }
    if (slot.session) this.#endSession(slot.session);
    if (slot.job) this.#failJob(slot.job, why);
    const pt = slot.poolThread;
    if (pt) {
      if (pt.task) this.#completeTask(pt.task, 'done', this.#lostWithWorker(pt.task, why));
      pt.task = null;
      const next = pt.next;
      if (next) {
        // Not claimed: another thread runs it; claimed: it was running.
        if (this.#withdraw(pt)) pt.pool.queue.unshift(next);
        else this.#completeTask(next, 'done', this.#lostWithWorker(next, why));
        pt.next = null;
      }
      this.#retireThread(pt);
      this.#poolDispatch(pt.pool);
    }
  }

  /** @param {Job} job @param {string} why */
  #failJob(job, why) {
    if (job.type === 'spawn') this.#finishThread(job.rec, err(E.panicked(why)));
    else if (job.type === 'main') job.fail(new Error(`portalis-threading: ${why}`));
    else this.#retireThread(job.pt);
  }

  #dispatch() {
    while (this.jobs.length && this.idle.length) {
      const slot = /** @type {WorkerSlot} */ (this.idle.shift());
      this.#assign(slot, /** @type {Job} */ (this.jobs.shift()));
    }
    const loading = this.slots.filter((s) => s.state === 'loading').length;
    for (let i = loading; i < this.jobs.length && !this.loadError; i++) this.#startWorker();
  }

  /** @param {WorkerSlot} slot @param {Job} job */
  #assign(slot, job) {
    if (job.type === 'spawn') {
      slot.state = 'busy';
      slot.job = job;
      slot.owner = String(job.rec.id);
      slot.link.post({ t: 'run', kind: 'spawn', owner: job.rec.id, entry: job.entry, input: job.input });
    } else if (job.type === 'main') {
      slot.state = 'busy';
      slot.job = job;
      slot.owner = '0';
      slot.link.post({ t: 'run', kind: 'main', owner: 0n });
    } else {
      slot.state = 'pool';
      slot.poolThread = job.pt;
      slot.owner = String(job.pt.id);
      job.pt.slot = slot;
      this.#poolDispatch(job.pt.pool);
    }
  }

  /** @param {WorkerSlot} slot */
  #release(slot) {
    slot.job = null;
    slot.poolThread = null;
    slot.state = 'idle';
    this.idle.push(slot);
    this.#dispatch();
  }

  /** @param {WorkerSlot} slot @param {any} msg */
  #onMessage(slot, msg) {
    // Handles the worker dropped lazily (link.drop), before what it sends now.
    if (msg.drops) for (const h of msg.drops) this.#drop(h);
    switch (msg.t) {
      case 'call': {
        const session = slot.session ?? (slot.session = this.#session(slot.owner, true, slot.index));
        let replied = false;
        const reply = (/** @type {Reply} */ r) => {
          if (replied || this.terminated || slot.state === 'dead') return;
          replied = true;
          /** @type {SlotWriter} */ (slot.writer).write(encode(r));
        };
        try {
          this.call(session, msg.op, msg.args, reply);
        } catch (e) {
          reply({ fatal: String(/** @type {any} */ (e)?.message ?? e) });
        }
        break;
      }
      case 'more':
        /** @type {SlotWriter} */ (slot.writer).more();
        break;
      case 'drop':
        this.#drop(msg.h);
        break;
      case 'instance-start':
        if (slot.session) this.#endSession(slot.session);
        slot.session = this.#session(slot.owner, true, slot.index);
        break;
      case 'instance-end':
        if (slot.session) this.#endSession(slot.session);
        slot.session = null;
        break;
      case 'entries':
        this.entries = msg.list ? new Set(msg.list) : null;
        break;
      case 'ready':
        if (slot.state === 'loading') {
          slot.state = 'idle';
          this.idle.push(slot);
          // The first worker reports the component's entries before it is ready.
          if (slot.index === 0) {
            for (const f of this.readyWaiters.splice(0)) f();
            this.failWaiters.length = 0;
          }
        }
        this.#dispatch();
        break;
      case 'done': {
        const pt = slot.poolThread;
        if (pt) {
          const task = /** @type {TaskRec} */ (pt.task);
          pt.task = null;
          if (task.direct) {
            // The worker answered the waiter itself: it is not answered twice.
            if (msg.direct) unqueue(task.waiters, task.direct);
            task.direct = null;
          }
          // Locks a task left held are released between tasks.
          this.#releaseOwner(slot.owner);
          this.#completeTask(task, 'done', msg.result);
          const next = pt.next;
          if (next) {
            // Offered and not withdrawn: the worker has claimed it or will
            // (nothing else can any more), and runs it next.
            pt.next = null;
            pt.task = next;
            next.state = 'running';
            // Its slot word is not free for another offer until the claim.
            pt.unclaimed = /** @type {number} */ (next.offer);
          }
          this.#poolDispatch(pt.pool);
        } else if (slot.job?.type === 'spawn') {
          this.#finishThread(slot.job.rec, msg.result);
          this.liveWorkers--;
          this.#release(slot);
        }
        break;
      }
      case 'claimed':
        // The worker took its offered task: it can be offered the next.
        if (slot.poolThread) this.#poolDispatch(slot.poolThread.pool);
        break;
      case 'retired':
        this.#release(slot);
        break;
      case 'main-done':
        if (slot.job?.type === 'main') {
          this.liveWorkers--;
          const job = slot.job;
          this.#release(slot);
          job.done({ status: msg.status, error: msg.error });
        }
        break;
      case 'exit':
        // `exit` outside main: that task fails as `panicked` (the worker
        // reports it so); the run goes on.
        break;
      case 'out':
        this.o.output(msg.fd, msg.bytes);
        break;
      case 'fatal':
        this.#workerFailed(slot, msg.message);
        break;
      default:
        break;
    }
  }

  /** Runs the program's main (`wasi:cli/run`) on a worker as worker 0. */
  runMain() {
    return new Promise((resolve, reject) => {
      if (this.terminated) return reject(new Error('portalis-threading: the runtime was terminated'));
      if (this.loadError) return reject(this.loadError);
      this.liveWorkers++;
      this.jobs.push({ type: 'main', done: resolve, fail: reject });
      this.mainFail = reject;
      this.#dispatch();
    });
  }

  /**
   * Runs task `entry` with `input` on a worker (a fresh instance, as
   * `thread.spawn` does) for the page or Node's own thread, which awaits it
   * instead of blocking. Resolves with the task's output bytes; rejects with
   * a `ThreadingError` (`unknown-entry`, `limit`, `panicked`, ...).
   * @param {string} entry @param {Uint8Array} input @returns {Promise<Uint8Array>}
   */
  runTask(entry, input) {
    return new Promise((resolve, reject) => {
      if (this.terminated) return reject(new Error('portalis-threading: the runtime was terminated'));
      // An awaiting caller may "block": its reply just comes later.
      const s = this.#session(String(this.nextWorkerId++), true);
      const settle = (/** @type {Reply} */ r) => {
        this.taskCallers.delete(reject);
        this.#endSession(s);
        if ('ok' in r) resolve(r.ok);
        else reject(new ThreadingError(/** @type {any} */ (r).err));
      };
      this.taskCallers.add(reject);
      this.call(s, 'thread.spawn', [entry, input, undefined], (r) => {
        if (!('ok' in r)) return settle(r);
        this.call(s, 'thread.join', [r.ok[0], { tag: 'forever' }], settle);
      });
    });
  }

  /** Ends every worker and forgets every object; resolves when every worker has exited. */
  terminate() {
    if (this.terminated) return Promise.resolve();
    this.terminated = true;
    for (const f of this.taskCallers) f(new Error('portalis-threading: the runtime was terminated'));
    this.taskCallers.clear();
    /** @type {Promise<void>[]} */
    const exits = [];
    for (const s of this.slots) {
      s.state = 'dead';
      if (s.link) exits.push(s.link.terminate());
    }
    for (const job of this.jobs.splice(0)) if (job.type === 'main') job.fail(new Error('portalis-threading: the runtime was terminated'));
    for (const s of this.slots) if (s.job?.type === 'main') s.job.fail(new Error('portalis-threading: the runtime was terminated while main was running'));
    this.slots = [];
    this.idle = [];
    this.handles.clear();
    this.tokens.clear();
    this.held.clear();
    this.jobs = [];
    this.anyWaiters = [];
    return Promise.all(exits).then(() => undefined);
  }

  // ---- sessions, handles, tokens -------------------------------------

  /** @param {string} owner @param {boolean} canBlock @param {number} [replySlot] @returns {Session} */
  #session(owner, canBlock, replySlot = -1) {
    return { owner, canBlock, handles: new Set(), replySlot };
  }

  /** A session for an instance on the broker's own thread, which must never block. */
  directSession() {
    return this.#session(String(this.nextWorkerId++), false);
  }

  /** The instance is gone: its handles and the locks it held go too. @param {Session} s */
  #endSession(s) {
    for (const h of s.handles) this.#drop(h);
    s.handles.clear();
    this.#releaseOwner(s.owner);
  }

  /** @param {Session} s @param {string} kind @param {any} obj */
  #newHandle(s, kind, obj) {
    const h = this.nextHandle++;
    this.handles.set(h, { kind, obj, session: s });
    s.handles.add(h);
    this.#addRef(kind, obj);
    return h;
  }

  /** @param {number} h @param {string} [kind] */
  #get(h, kind) {
    const e = this.handles.get(h);
    if (!e) throw new Error(`unknown handle ${h}`);
    if (kind && e.kind !== kind) throw new Error(`handle ${h} is a ${e.kind}, not a ${kind}`);
    return e.obj;
  }

  /** The guest dropped handle `h` (direct calls). @param {number} h */
  drop(h) {
    this.#drop(h);
  }

  /** @param {number} h */
  #drop(h) {
    const e = this.handles.get(h);
    if (!e) return;
    this.handles.delete(h);
    e.session.handles.delete(h);
    this.#unref(e.kind, e.obj);
  }

  /** @param {string} kind @param {any} obj */
  #addRef(kind, obj) {
    if (kind === 'sender') obj.senders++;
    else if (kind === 'receiver') obj.receivers++;
    else if (kind === 'broadcaster' || kind === 'pool') obj.handles++;
  }

  /** @param {string} kind @param {any} obj */
  #unref(kind, obj) {
    if (kind === 'sender') {
      obj.senders--;
      obj.pump();
    } else if (kind === 'receiver') {
      obj.receivers--;
      if (obj instanceof SubscriptionObj) {
        if (obj.receivers === 0) {
          obj.bc.subs.delete(obj);
          pump(obj.bc.sendWaiters);
        }
      } else {
        obj.pump();
      }
    } else if (kind === 'broadcaster') {
      obj.handles--;
      if (obj.handles === 0) for (const s of obj.subs) s.pump();
    } else if (kind === 'pool') {
      obj.handles--;
      // The last handle is gone: no task can be submitted any more.
      if (obj.handles === 0) this.#closePool(obj);
    }
  }

  /** @param {string} kind @param {any} obj */
  #share(kind, obj) {
    const words = new Uint32Array(2);
    let token = 0n;
    while (token === 0n || this.tokens.has(token)) {
      crypto.getRandomValues(words);
      token = (BigInt(words[0]) << 32n) | BigInt(words[1]);
    }
    this.tokens.set(token, { kind, obj });
    this.#addRef(kind, obj);
    return token;
  }

  /** @param {Session} s @param {string} kind @param {bigint} token */
  #open(s, kind, token) {
    const t = this.tokens.get(BigInt(token));
    // A token of another kind stays redeemable.
    if (!t || t.kind !== kind) return err(E.invalidToken());
    this.tokens.delete(BigInt(token));
    const h = this.#newHandle(s, kind, t.obj);
    this.#unref(kind, t.obj);
    return ok(h);
  }

  // ---- locks held by owners ------------------------------------------

  /** @param {string} owner @param {any} lock */
  #noteHeld(owner, lock) {
    let set = this.held.get(owner);
    if (!set) this.held.set(owner, (set = new Set()));
    set.add(lock);
  }

  /** @param {string} owner @param {any} lock */
  #noteReleased(owner, lock) {
    this.held.get(owner)?.delete(lock);
  }

  /** Releases every lock `owner` holds (its instance or task ended). @param {string} owner */
  #releaseOwner(owner) {
    const set = this.held.get(owner);
    if (!set) return;
    this.held.delete(owner);
    for (const lock of set) {
      if (lock instanceof MutexObj) {
        if (lock.holder === owner) lock.holder = null;
      } else {
        if (lock.writer === owner) lock.writer = null;
        lock.readers.delete(owner);
      }
      pump(lock.waiters);
    }
  }

  // ---- blocking ------------------------------------------------------

  /**
   * Completes `attempt` now, or queues it on `queue` according to `wait`.
   * Returns the waiter when it was queued.
   * @param {Session} s @param {any} wait @param {Waiter[]} queue
   * @param {() => Reply | null} attempt @param {(r: Reply) => void} reply
   * @param {object} [extra] fields for the waiter
   * @param {(w: Waiter) => void} [onTimeout] instead of replying `timeout`
   * @returns {Waiter | null}
   */
  #block(s, wait, queue, attempt, reply, extra = {}, onTimeout) {
    const zero = wait.tag === 'timeout' && BigInt(wait.val) === 0n;
    if (wait.tag !== 'immediate' && !zero && !s.canBlock) {
      reply(err(E.unsupported(NO_BLOCKING_HERE)));
      return null;
    }
    const r = attempt();
    if (r) {
      reply(r);
      return null;
    }
    if (wait.tag === 'immediate') {
      reply(err(E.wouldBlock()));
      return null;
    }
    if (zero) {
      reply(err(E.timeout()));
      return null;
    }
    /** @type {Waiter} */
    const w = { attempt, reply, timer: null, ...extra };
    queue.push(w);
    if (wait.tag === 'timeout') {
      const ms = Math.ceil(Number(BigInt(wait.val)) / 1e6);
      if (ms <= MAX_TIMER_MS) {
        w.timer = this.#after(ms, () => {
          if (!unqueue(queue, w)) return;
          if (onTimeout) onTimeout(w);
          else reply(err(E.timeout()));
        });
      }
    }
    return w;
  }

  /** @param {number} ms @param {() => void} f */
  #after(ms, f) {
    const t = setTimeout(() => {
      if (!this.terminated) f();
    }, ms);
    /** @type {any} */ (t).unref?.();
    return t;
  }

  /** @param {Session} s @param {any} wait */
  #mayBlock(s, wait) {
    return wait.tag === 'immediate' || (wait.tag === 'timeout' && BigInt(wait.val) === 0n) || s.canBlock;
  }

  // ---- threads, pools, tasks -----------------------------------------

  /** @param {number} n */
  #reserve(n) {
    if (this.terminated) return err(E.closed());
    if (this.liveWorkers + n > this.o.maxWorkers) {
      return err(E.limit(`the run already has ${this.liveWorkers} worker threads (limit ${this.o.maxWorkers})`));
    }
    this.liveWorkers += n;
    return null;
  }

  /** @param {string} entry */
  #checkEntry(entry) {
    if (!this.entries) return err(E.unknownEntry(`${entry} (the component exports no \`portalis:threading/worker\`)`));
    if (!this.entries.has(entry)) return err(E.unknownEntry(entry));
    return null;
  }

  /** @param {ThreadRec} rec @param {Reply} result */
  #finishThread(rec, result) {
    rec.finished = true;
    rec.result = result;
    pump(rec.waiters);
  }

  /** @param {TaskRec} task @param {'done' | 'cancelled'} state @param {Reply} result */
  #completeTask(task, state, result) {
    this.#freeCell(task);
    task.state = state;
    task.result = result;
    pump(task.waiters);
    pump(this.anyWaiters);
  }

  /** The next task of `pool`'s queue that is still pending. @param {PoolRec} pool */
  #nextPending(pool) {
    while (pool.queue.length) {
      const t = /** @type {TaskRec} */ (pool.queue.shift());
      if (t.state !== 'pending') continue;
      if (pool.cancelPending) {
        this.#completeTask(t, 'cancelled', err(E.cancelled()));
        continue;
      }
      return t;
    }
    return null;
  }

  /**
   * Takes back the task offered to `pt` if its worker has not claimed it.
   * @param {PoolThread} pt @returns {boolean} whether it was withdrawn
   */
  #withdraw(pt) {
    const t = /** @type {TaskRec} */ (pt.next);
    const seq = /** @type {number} */ (t.offer);
    if (Atomics.compareExchange(/** @type {Int32Array} */ (t.offerCtrl), 3, seq, 0) === seq) {
      pt.next = null;
      t.offer = 0;
      // Never run there: a waiter handed over is the broker's again.
      this.#settleDirect(t);
      this.#freeCell(t);
      return true;
    }
    t.state = 'running';
    return false;
  }

  /** The direct-reply cells. */
  #cells() {
    return /** @type {CellTable} */ (this.cells);
  }

  /**
   * Gives `task`, about to go to a pool worker, a direct-reply cell (if one
   * is free), and hands the worker a thread already waiting for it.
   * @param {TaskRec} task
   */
  #armCell(task) {
    const c = this.#cells().take();
    task.cell = c ? c.cell : -1;
    task.seq = c ? c.seq : 0;
    const w = c && !task.direct ? task.waiters.find((x) => x.replySlot >= 0) : undefined;
    if (w && this.#cells().handOver(task.cell, task.seq, w.replySlot)) task.direct = w;
  }

  /** Posts `msg` to a worker now, or once the reply is written while `postLater` collects. @param {any} link @param {any} msg */
  #post(link, msg) {
    if (this.postLater) this.postLater.push(() => link.post(msg));
    else link.post(msg);
  }

  /** @param {TaskRec} task */
  #freeCell(task) {
    if (task.cell < 0) return;
    this.#cells().release(task.cell);
    task.cell = -1;
  }

  /**
   * Whether `t`'s pool worker has finished it (its `done` may be on the
   * way), for a worker thread `s` asking: those see it done from then on,
   * as one of them may have its result already (direct-reply.js). The
   * broker's own thread is never answered directly and sees its records.
   * @param {Session} s @param {TaskRec} t
   */
  #finishedOnWorker(s, t) {
    return s.replySlot >= 0 && t.cell >= 0 && (t.state === 'running' || t.state === 'pending') &&
      this.#cells().progress(t.cell, t.seq) !== 'running';
  }

  /**
   * After `t` stopped being its worker's (offer withdrawn, worker gone):
   * takes back a waiter handed over, or forgets it if the worker answered.
   * @param {TaskRec} t
   */
  #settleDirect(t) {
    if (t.cell < 0) return;
    const w = t.direct;
    t.direct = null;
    // Not finished there: the cell ends as ours (a waiter handed over stays
    // queued here; a thread blocked on the cell wakes and asks us).
    if (this.#cells().endAsBroker(t.cell, t.seq) >= 0) return;
    if (w && this.#cells().progress(t.cell, t.seq) === 'answered') unqueue(t.waiters, w);
  }

  /**
   * The result of a task whose worker failed while it ran: `panicked`,
   * unless the worker finished it and left its reply in the cell (its
   * waiter may hold it already). The cell is not reused: the failed
   * worker's JS may still be running.
   * @param {TaskRec} t @param {string} why @returns {Reply}
   */
  #lostWithWorker(t, why) {
    if (t.cell < 0) return err(E.panicked(why));
    const left = this.#cells().reply(t.cell, t.seq);
    this.#settleDirect(t);
    t.cell = -1; // kept out of use (not released)
    return left ? decode(left) : err(E.panicked(why));
  }

  /** An offered task the worker has claimed is running. @param {TaskRec} t */
  #claimed(t) {
    if (t.state === 'pending' && t.offer && Atomics.load(/** @type {Int32Array} */ (t.offerCtrl), 3) === -t.offer) t.state = 'running';
  }

  /**
   * Gives idle pool threads tasks, then offers each busy thread its next
   * task ahead: the worker finds the offer queued when it finishes and
   * claims it at once (an atomic exchange on its slot), instead of waiting
   * for a round trip through this thread. An offer stays pending (and
   * cancellable: the broker withdraws it with the same exchange) until
   * claimed, and an idle thread takes over an unclaimed one.
   * @param {PoolRec} pool
   */
  #poolDispatch(pool) {
    for (const pt of pool.threads) {
      if (!pt.slot || pt.task || pt.exited) continue;
      // Offers left the queue before every task still in it: oldest first.
      /** @type {TaskRec | null} */
      let task = null;
      const offered = pool.threads.filter((o) => o.next).sort((a, b) => /** @type {number} */ (a.next?.offer) - /** @type {number} */ (b.next?.offer));
      for (const other of offered) {
        const next = /** @type {TaskRec} */ (other.next);
        if (this.#withdraw(other)) {
          task = next;
          break;
        }
      }
      task ??= this.#nextPending(pool);
      if (task) {
        task.state = 'running';
        pt.task = task;
        this.#armCell(task);
        this.#post(pt.slot.link, { t: 'run', kind: 'pool', owner: pt.id, entry: task.entry, input: task.input, cell: task.cell, cellSeq: task.seq });
      } else if (pool.closed) {
        const slot = pt.slot;
        pt.slot = null;
        this.#retireThread(pt);
        slot.link.post({ t: 'retire' });
      }
    }
    for (const pt of pool.threads) {
      if (!pt.slot || !pt.task || pt.next || pt.exited) continue;
      const ctrl = /** @type {SlotWriter} */ (pt.slot.writer).ctrl;
      if (pt.unclaimed) {
        if (Atomics.load(ctrl, 3) !== -pt.unclaimed) continue; // 'claimed' comes
        pt.unclaimed = 0;
      }
      // Only from a queue of two or more: a lone queued task is left for the
      // broker to dispatch (then a cancel or shutdown-now right after its
      // predecessor ends still finds it pending, as the tests expect).
      let pending = 0;
      for (const t of pool.queue) if (t.state === 'pending' && ++pending === 2) break;
      if (pending < 2) break;
      const task = this.#nextPending(pool);
      if (!task) break;
      const seq = (this.offerSeq = (this.offerSeq % 0x3fffffff) + 1);
      task.offer = seq;
      task.offerCtrl = ctrl;
      task.offeredTo = pt;
      pt.next = task;
      this.#armCell(task);
      Atomics.store(ctrl, 3, seq);
      this.#post(pt.slot.link, { t: 'offer', seq, owner: pt.id, entry: task.entry, input: task.input, cell: task.cell, cellSeq: task.seq });
    }
  }

  /** A pool thread has exited (or will never start). @param {PoolThread} pt */
  #retireThread(pt) {
    if (pt.exited) return;
    pt.exited = true;
    this.liveWorkers--;
    const pool = pt.pool;
    if (--pool.live === 0) {
      pool.exited = true;
      pump(pool.exitWaiters);
    }
  }

  /** Stops taking tasks; queued tasks still run. @param {PoolRec} pool */
  #closePool(pool) {
    pool.closed = true;
    // Threads that never got a worker exit at once.
    this.jobs = this.jobs.filter((j) => {
      if (j.type === 'pool-thread' && j.pt.pool === pool && pool.queue.every((t) => t.state !== 'pending')) {
        this.#retireThread(j.pt);
        return false;
      }
      return true;
    });
    this.#poolDispatch(pool);
  }

  // ---- the operations ------------------------------------------------

  /**
   * Runs one operation for `s`; `reply` gets its result now or later.
   * @param {Session} s @param {string} op @param {any[]} a @param {(r: Reply) => void} reply
   */
  call(s, op, a, reply) {
    const owner = s.owner;
    const handle = (/** @type {string} */ kind, /** @type {any} */ obj) => ok(this.#newHandle(s, kind, obj));
    switch (op) {
      // -- generic
      case 'open':
        return reply(this.#open(s, a[0], a[1]));
      case 'clone': {
        const e = /** @type {HandleEntry} */ (this.handles.get(a[0]));
        if (!e) throw new Error(`unknown handle ${a[0]}`);
        return reply(handle(e.kind, e.obj));
      }
      // -- thread
      case 'thread.spawn': {
        const [entry, input, name] = a;
        const bad = this.#checkEntry(entry) ?? this.#reserve(1);
        if (bad) return reply(bad);
        /** @type {ThreadRec} */
        const rec = { id: this.nextWorkerId++, name, finished: false, result: null, waiters: [] };
        this.jobs.push({ type: 'spawn', rec, entry, input });
        this.#dispatch();
        return reply(ok([this.#newHandle(s, 'thread', rec), rec.id]));
      }
      case 'thread.join': {
        const rec = this.#get(a[0], 'thread');
        this.#block(s, a[1], rec.waiters, () => (rec.finished ? rec.result : null), reply);
        return;
      }
      case 'thread.is-finished':
        return reply(ok(this.#get(a[0], 'thread').finished));
      // -- mutex
      case 'mutex.new':
        return reply(handle('mutex', new MutexObj()));
      case 'mutex.lock': {
        const m = this.#get(a[0], 'mutex');
        if (m.holder === owner) return reply(err(E.invalidState('the lock is already held by this owner (it is not re-entrant)')));
        this.#block(s, a[1], m.waiters, () => {
          if (m.holder !== null) return null;
          m.holder = owner;
          this.#noteHeld(owner, m);
          return ok(undefined);
        }, reply);
        return;
      }
      case 'mutex.unlock': {
        const m = this.#get(a[0], 'mutex');
        if (m.holder !== owner) return reply(err(E.invalidState('unlock of a lock this owner does not hold')));
        m.holder = null;
        this.#noteReleased(owner, m);
        reply(ok(undefined));
        pump(m.waiters);
        return;
      }
      case 'mutex.is-locked':
        return reply(ok(this.#get(a[0], 'mutex').holder !== null));
      // -- rwlock
      case 'rwlock.new':
        return reply(handle('rwlock', new RwLockObj()));
      case 'rwlock.read': {
        const l = this.#get(a[0], 'rwlock');
        if (l.writer === owner) return reply(err(E.invalidState('this owner holds the write lock')));
        this.#block(s, a[1], l.waiters, () => {
          if (!l.readers.has(owner) && (l.writer !== null || l.writersWaiting > 0)) return null;
          l.readers.set(owner, (l.readers.get(owner) ?? 0) + 1);
          this.#noteHeld(owner, l);
          return ok(undefined);
        }, reply);
        return;
      }
      case 'rwlock.write': {
        const l = this.#get(a[0], 'rwlock');
        if (l.writer === owner || l.readers.has(owner)) return reply(err(E.invalidState('this owner already holds the rwlock')));
        let queued = false;
        const w = this.#block(s, a[1], l.waiters, () => {
          if (l.writer !== null || l.readers.size > 0) return null;
          if (queued) l.writersWaiting--;
          l.writer = owner;
          this.#noteHeld(owner, l);
          return ok(undefined);
        }, reply, {}, () => {
          l.writersWaiting--;
          reply(err(E.timeout()));
          // Readers held back by this writer may go now.
          pump(l.waiters);
        });
        if (w) {
          queued = true;
          l.writersWaiting++;
        }
        return;
      }
      case 'rwlock.unlock-read': {
        const l = this.#get(a[0], 'rwlock');
        const n = l.readers.get(owner);
        if (!n) return reply(err(E.invalidState('this owner holds no read lock')));
        if (n === 1) {
          l.readers.delete(owner);
          this.#noteReleased(owner, l);
        } else {
          l.readers.set(owner, n - 1);
        }
        if (l.readers.size === 0) pump(l.waiters);
        return reply(ok(undefined));
      }
      case 'rwlock.unlock-write': {
        const l = this.#get(a[0], 'rwlock');
        if (l.writer !== owner) return reply(err(E.invalidState('this owner does not hold the write lock')));
        l.writer = null;
        this.#noteReleased(owner, l);
        pump(l.waiters);
        return reply(ok(undefined));
      }
      // -- semaphore
      case 'semaphore.new': {
        const [permits, bound] = a;
        if (bound !== undefined && bound < permits) {
          return reply(err(E.invalidArgument(`semaphore bound ${bound} is below its initial permits ${permits}`)));
        }
        return reply(handle('semaphore', new SemaphoreObj(permits, bound)));
      }
      case 'semaphore.acquire': {
        const sem = this.#get(a[0], 'semaphore');
        this.#block(s, a[1], sem.waiters, () => {
          if (sem.permits === 0) return null;
          sem.permits--;
          return ok(undefined);
        }, reply);
        return;
      }
      case 'semaphore.release': {
        const sem = this.#get(a[0], 'semaphore');
        const n = a[1];
        if (n === 0) return reply(err(E.invalidArgument('n must be one or more')));
        if (sem.bound !== undefined && sem.permits + n > sem.bound) return reply(err(E.invalidState('semaphore released too many times')));
        sem.permits += n;
        pump(sem.waiters);
        return reply(ok(undefined));
      }
      case 'semaphore.available':
        return reply(ok(this.#get(a[0], 'semaphore').permits));
      // -- barrier
      case 'barrier.new':
        if (a[0] < 1) return reply(err(E.invalidArgument('parties must be >= 1')));
        return reply(handle('barrier', new BarrierObj(a[0])));
      case 'barrier.wait': {
        const b = this.#get(a[0], 'barrier');
        const wait = a[1];
        if (!this.#mayBlock(s, wait)) return reply(err(E.unsupported(NO_BLOCKING_HERE)));
        if (b.broken) return reply(err(E.broken()));
        const index = b.waiters.length;
        if (index === b.parties - 1) {
          for (const w of b.waiters.splice(0)) {
            clearTimeout(w.timer);
            w.reply(ok(w.index));
          }
          return reply(ok(index));
        }
        // Waiting for no time breaks the barrier, as a timeout does.
        const w = this.#block(s, wait, b.waiters, () => null, () => {}, { index }, () => {
          b.broken = true;
          b.breakWaiters();
          reply(err(E.timeout()));
        });
        if (w) {
          w.reply = reply;
        } else {
          b.broken = true;
          b.breakWaiters();
          reply(err(wait.tag === 'immediate' ? E.wouldBlock() : E.timeout()));
        }
        return;
      }
      case 'barrier.abort': {
        const b = this.#get(a[0], 'barrier');
        b.broken = true;
        b.breakWaiters();
        return reply(ok(undefined));
      }
      case 'barrier.reset': {
        const b = this.#get(a[0], 'barrier');
        b.breakWaiters();
        b.broken = false;
        return reply(ok(undefined));
      }
      case 'barrier.is-broken':
        return reply(ok(this.#get(a[0], 'barrier').broken));
      case 'barrier.parties':
        return reply(ok(this.#get(a[0], 'barrier').parties));
      case 'barrier.n-waiting':
        return reply(ok(this.#get(a[0], 'barrier').waiters.length));
      // -- condition
      case 'condition.new':
        return reply(handle('condition', new ConditionObj(this.#get(a[0], 'mutex'))));
      case 'condition.mutex':
        return reply(handle('mutex', this.#get(a[0], 'condition').mutex));
      case 'condition.wait': {
        const c = this.#get(a[0], 'condition');
        const m = c.mutex;
        const wait = a[1];
        if (!this.#mayBlock(s, wait)) return reply(err(E.unsupported(NO_BLOCKING_HERE)));
        if (m.holder !== owner) return reply(err(E.invalidState('wait on a condition whose lock this owner does not hold')));
        if (wait.tag === 'immediate') return reply(err(E.wouldBlock()));
        // Relocks the mutex, then answers `r`.
        const relock = (/** @type {Reply} */ r) => {
          const attempt = () => {
            if (m.holder !== null) return null;
            m.holder = owner;
            this.#noteHeld(owner, m);
            return r;
          };
          const got = attempt();
          if (got) reply(got);
          else m.waiters.push({ attempt, reply, timer: null });
        };
        m.holder = null;
        this.#noteReleased(owner, m);
        pump(m.waiters);
        const zero = wait.tag === 'timeout' && BigInt(wait.val) === 0n;
        if (zero) return relock(err(E.timeout()));
        this.#block(s, wait, c.waiters, () => null, () => {}, { relock }, () => relock(err(E.timeout())));
        return;
      }
      case 'condition.notify':
      case 'condition.notify-all': {
        const c = this.#get(a[0], 'condition');
        const n = op === 'condition.notify' ? Math.min(a[1], c.waiters.length) : c.waiters.length;
        for (const w of c.waiters.splice(0, n)) {
          clearTimeout(w.timer);
          w.relock(ok(undefined));
        }
        return reply(ok(n));
      }
      // -- event
      case 'event.new':
        return reply(handle('event', new EventObj()));
      case 'event.set': {
        const e = this.#get(a[0], 'event');
        e.flag = true;
        // The caller first: a setter usually goes on to act on the waiters' work.
        reply(ok(undefined));
        pump(e.waiters);
        return;
      }
      case 'event.clear':
        this.#get(a[0], 'event').flag = false;
        return reply(ok(undefined));
      case 'event.is-set':
        return reply(ok(this.#get(a[0], 'event').flag));
      case 'event.wait': {
        const e = this.#get(a[0], 'event');
        this.#block(s, a[1], e.waiters, () => (e.flag ? ok(undefined) : null), reply);
        return;
      }
      // -- channel
      case 'channel.bounded':
      case 'channel.unbounded':
      case 'channel.oneshot': {
        const ch = op === 'channel.bounded' ? new ChannelObj(a[0], false)
          : op === 'channel.unbounded' ? new ChannelObj(null, false) : new ChannelObj(1, true);
        return reply(ok([this.#newHandle(s, 'sender', ch), this.#newHandle(s, 'receiver', ch)]));
      }
      case 'channel.broadcast':
        return reply(handle('broadcaster', new BroadcastObj(a[0] ?? null)));
      case 'sender.send': {
        const ch = this.#get(a[0], 'sender');
        const [, message, wait] = a;
        if (ch.oneshot) {
          if (ch.sent) return reply(err(E.closed()));
          ch.sent = true;
        }
        this.#block(s, wait, ch.sendWaiters, () => ch.trySend(message), reply, { message });
        return;
      }
      case 'sender.len':
        return reply(ok(this.#get(a[0], 'sender').queue.length));
      case 'sender.capacity':
        return reply(ok(this.#get(a[0], 'sender').capacity ?? undefined));
      case 'receiver.recv': {
        const rx = this.#get(a[0], 'receiver');
        this.#block(s, a[1], rx.recvWaiters, () => rx.tryRecv(), reply);
        return;
      }
      case 'receiver.len':
        return reply(ok(this.#get(a[0], 'receiver').queue.length));
      case 'broadcaster.send': {
        const bc = this.#get(a[0], 'broadcaster');
        const message = a[1];
        this.#block(s, a[2], bc.sendWaiters, () => bc.trySend(message), reply);
        return;
      }
      case 'broadcaster.subscribe': {
        const bc = this.#get(a[0], 'broadcaster');
        const sub = new SubscriptionObj(bc);
        bc.subs.add(sub);
        return reply(handle('receiver', sub));
      }
      // -- executor
      case 'pool.new': {
        const n = a[0] || this.o.parallelism;
        const bad = this.#reserve(n);
        if (bad) return reply(bad);
        const pool = new PoolRec(n);
        for (let i = 0; i < n; i++) {
          /** @type {PoolThread} */
          const pt = { id: this.nextWorkerId++, pool, slot: null, task: null, next: null, unclaimed: 0, exited: false };
          pool.threads.push(pt);
          this.jobs.push({ type: 'pool-thread', pt });
        }
        const h = this.#newHandle(s, 'pool', pool);
        this.#dispatch();
        return reply(ok(h));
      }
      case 'pool.workers':
        return reply(ok(this.#get(a[0], 'pool').n));
      case 'pool.map': {
        const pool = this.#get(a[0], 'pool');
        const [, entry, inputs] = a;
        const bad = this.#checkEntry(entry);
        if (bad) return reply(bad);
        if (pool.closed) return reply(err(E.closed()));
        const tasks = inputs.map((/** @type {Uint8Array} */ input) => {
          /** @type {TaskRec} */
          const task = { state: 'pending', result: null, waiters: [], entry, input, cell: -1, seq: 0, direct: null };
          pool.queue.push(task);
          return task;
        });
        const hs = tasks.map((/** @type {TaskRec} */ t) => this.#newHandle(s, 'task', t));
        // The submitter hears first (its reply carries the cells of tasks
        // dispatched now, for it to wait on: direct-reply.js); then the tasks go.
        /** @type {(() => void)[]} */
        const posts = [];
        this.postLater = posts;
        try {
          this.#poolDispatch(pool);
        } finally {
          this.postLater = null;
        }
        reply(ok([hs, tasks.map((/** @type {TaskRec} */ t) => (t.cell >= 0 ? [t.cell, t.seq] : null))]));
        for (const post of posts) post();
        return;
      }
      case 'pool.shutdown': {
        const pool = this.#get(a[0], 'pool');
        const [, cancelPending, wait] = a;
        if (!this.#mayBlock(s, wait)) return reply(err(E.unsupported(NO_BLOCKING_HERE)));
        if (cancelPending) {
          pool.cancelPending = true;
          for (const t of pool.queue.splice(0)) {
            if (t.state === 'pending') this.#completeTask(t, 'cancelled', err(E.cancelled()));
          }
          for (const pt of pool.threads) {
            const next = pt.next;
            if (next && this.#withdraw(pt)) this.#completeTask(next, 'cancelled', err(E.cancelled()));
          }
        }
        this.#closePool(pool);
        if (wait.tag === 'immediate') return reply(ok(undefined));
        this.#block(s, wait, pool.exitWaiters, () => (pool.exited ? ok(undefined) : null), reply);
        return;
      }
      case 'pool.is-shutdown':
        return reply(ok(this.#get(a[0], 'pool').closed));
      case 'task.wait': {
        const t = this.#get(a[0], 'task');
        const finished = this.#finishedOnWorker(s, t);
        // Finished on its worker, its reply left in shared memory (direct-reply.js).
        const early = finished ? this.#cells().reply(t.cell, t.seq) : null;
        if (early) return reply(decode(early));
        // Finished, result on the way in `done`: any wait completes with it.
        const wait = finished ? { tag: 'forever' } : a[1];
        const w = this.#block(s, wait, t.waiters, () => (t.state === 'done' || t.state === 'cancelled' ? t.result : null), reply, { replySlot: s.replySlot },
          (w) => {
            if (t.direct === w) {
              if (!this.#cells().takeBack(t.cell, t.seq, s.replySlot)) {
                // The worker finished first and answers (or its `done` does).
                t.waiters.push(w);
                return;
              }
              t.direct = null;
            }
            reply(err(E.timeout()));
          });
        // Its pool worker may answer it directly (direct-reply.js).
        if (w && s.replySlot >= 0 && !t.direct && t.cell >= 0 && this.#cells().handOver(t.cell, t.seq, s.replySlot)) t.direct = w;
        return;
      }
      case 'task.cancel': {
        const t = this.#get(a[0], 'task');
        this.#claimed(t);
        if (t.state === 'pending' && t.offer) {
          if (this.#withdraw(/** @type {PoolThread} */ (t.offeredTo))) this.#completeTask(t, 'cancelled', err(E.cancelled()));
        } else if (t.state === 'pending') this.#completeTask(t, 'cancelled', err(E.cancelled()));
        return reply(ok(t.state === 'cancelled'));
      }
      case 'task.state': {
        const t = this.#get(a[0], 'task');
        this.#claimed(t);
        if (this.#finishedOnWorker(s, t)) return reply(ok('done'));
        return reply(ok(t.state));
      }
      case 'wait-any': {
        const [hs, wait] = a;
        if (hs.length === 0) return reply(err(E.invalidArgument('wait-any of no tasks')));
        const tasks = hs.map((/** @type {number} */ h) => this.#get(h, 'task'));
        this.#block(s, wait, this.anyWaiters, () => {
          const i = tasks.findIndex((/** @type {TaskRec} */ t) => t.state === 'done' || t.state === 'cancelled' || this.#finishedOnWorker(s, t));
          return i < 0 ? null : ok(i);
        }, reply);
        return;
      }
      default: {
        const m = /^(mutex|rwlock|semaphore|barrier|condition|event|sender|receiver|broadcaster|pool)\.share$/.exec(op);
        if (m) return reply(ok(this.#share(m[1], this.#get(a[0], m[1]))));
        throw new Error(`unknown operation ${op}`);
      }
    }
  }
}

export { isNode };
