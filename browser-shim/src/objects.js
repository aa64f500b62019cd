// @ts-check
/**
 * The shared objects, as plain single-threaded state owned by the broker:
 * each blocking operation either completes at once or queues a waiter that
 * a later state change (or its timer) completes. Semantics mirror the
 * wasmtime host (host/src/host/*.rs, runtime/src/sync/owned.rs).
 *
 * A waiter is `{ attempt, reply, timer }`: `attempt()` returns a reply
 * (`{ ok }` or `{ err }`) when the operation can complete, else null.
 */
import { E } from './errors.js';

/** `fatal`: the broker itself failed on the request (a bug), not an error of the contract. */
/** @typedef {{ ok?: any, err?: import('./errors.js').WitError, fatal?: string }} Reply */
/** @typedef {{ attempt: () => Reply | null, reply: (r: Reply) => void, timer: any, [k: string]: any }} Waiter */

export const ok = (/** @type {any} */ v) => ({ ok: v });
export const err = (/** @type {import('./errors.js').WitError} */ e) => ({ err: e });

const pumping = new WeakSet();
const again = new WeakSet();

/**
 * Completes every waiter of `queue` that can complete now, in order. An
 * attempt can change other objects and so pump this queue again from
 * inside; that nested pump only asks this one to go round once more.
 * @param {Waiter[]} queue
 */
export function pump(queue) {
  if (pumping.has(queue)) {
    again.add(queue);
    return;
  }
  pumping.add(queue);
  try {
    do {
      again.delete(queue);
      for (let i = 0; i < queue.length; ) {
        const w = queue[i];
        const r = w.attempt();
        if (r) {
          queue.splice(i, 1);
          clearTimeout(w.timer);
          w.reply(r);
        } else {
          i++;
        }
      }
    } while (again.has(queue));
  } finally {
    pumping.delete(queue);
  }
}

/** Removes `w` from `queue`; whether it was there. @param {Waiter[]} queue @param {Waiter} w */
export function unqueue(queue, w) {
  const i = queue.indexOf(w);
  if (i < 0) return false;
  queue.splice(i, 1);
  clearTimeout(w.timer);
  return true;
}

export class MutexObj {
  kind = 'mutex';
  /** @type {string | null} */ holder = null;
  /** @type {Waiter[]} */ waiters = [];
}

export class RwLockObj {
  kind = 'rwlock';
  /** @type {string | null} */ writer = null;
  /** @type {Map<string, number>} */ readers = new Map();
  writersWaiting = 0;
  /** @type {Waiter[]} */ waiters = [];
}

export class SemaphoreObj {
  kind = 'semaphore';
  /** @param {number} permits @param {number | undefined} bound */
  constructor(permits, bound) {
    this.permits = permits;
    this.bound = bound;
    /** @type {Waiter[]} */ this.waiters = [];
  }
}

export class BarrierObj {
  kind = 'barrier';
  /** @param {number} parties */
  constructor(parties) {
    this.parties = parties;
    this.broken = false;
    /** @type {Waiter[]} arrivals of the current cycle, each with its `index` */
    this.waiters = [];
  }
  /** Fails every current waiter with `broken`. */
  breakWaiters() {
    const ws = this.waiters.splice(0);
    for (const w of ws) {
      clearTimeout(w.timer);
      w.reply(err(E.broken()));
    }
  }
}

export class ConditionObj {
  kind = 'condition';
  /** @param {MutexObj} mutex */
  constructor(mutex) {
    this.mutex = mutex;
    /** @type {Waiter[]} */ this.waiters = [];
  }
}

export class EventObj {
  kind = 'event';
  flag = false;
  /** @type {Waiter[]} */ waiters = [];
}

/** A queue channel: bounded (capacity n; 0 is rendezvous), unbounded, or oneshot. */
export class ChannelObj {
  kind = 'channel';
  /** @param {number | null} capacity @param {boolean} oneshot */
  constructor(capacity, oneshot) {
    this.capacity = capacity;
    this.oneshot = oneshot;
    this.sent = false;
    this.received = false;
    /** @type {Uint8Array[]} */ this.queue = [];
    /** sender handles and unredeemed sender tokens */
    this.senders = 0;
    this.receivers = 0;
    /** @type {Waiter[]} */ this.sendWaiters = [];
    /** @type {Waiter[]} */ this.recvWaiters = [];
  }
  hasRoom() {
    return this.capacity === null || this.queue.length < this.capacity;
  }
  /** Moves messages as far as the state allows and fails waiters of a closed channel. */
  pump() {
    for (let progress = true; progress; ) {
      progress = false;
      while (this.queue.length && this.recvWaiters.length) {
        this.#complete(this.recvWaiters, ok(this.#take()));
        progress = true;
      }
      while (this.sendWaiters.length && this.capacity !== 0 && this.hasRoom()) {
        const w = /** @type {Waiter} */ (this.sendWaiters[0]);
        this.queue.push(w.message);
        this.#complete(this.sendWaiters, ok(undefined));
        progress = true;
      }
      while (this.capacity === 0 && this.sendWaiters.length && this.recvWaiters.length) {
        const s = /** @type {Waiter} */ (this.sendWaiters[0]);
        this.#complete(this.sendWaiters, ok(undefined));
        this.#deliver(s.message);
        progress = true;
      }
    }
    if (this.receivers === 0) {
      while (this.sendWaiters.length) this.#complete(this.sendWaiters, err(E.closed()));
    }
    if ((this.senders === 0 && this.queue.length === 0 && this.sendWaiters.length === 0) || (this.oneshot && this.received)) {
      while (this.recvWaiters.length) this.#complete(this.recvWaiters, err(E.closed()));
    }
  }
  /** Hands `message` to the first waiting receiver. @param {Uint8Array} message */
  #deliver(message) {
    if (this.oneshot) this.received = true;
    this.#complete(this.recvWaiters, ok(message));
  }
  #take() {
    const m = /** @type {Uint8Array} */ (this.queue.shift());
    if (this.oneshot) this.received = true;
    return m;
  }
  /** @param {Waiter[]} q @param {Reply} r */
  #complete(q, r) {
    const w = /** @type {Waiter} */ (q.shift());
    clearTimeout(w.timer);
    w.reply(r);
  }
  /** Tries to receive now: a reply, or null. */
  tryRecv() {
    if (this.oneshot && this.received) return err(E.closed());
    if (this.queue.length) {
      const m = this.#take();
      this.pump();
      return ok(m);
    }
    if (this.capacity === 0 && this.sendWaiters.length) {
      const s = /** @type {Waiter} */ (this.sendWaiters.shift());
      clearTimeout(s.timer);
      s.reply(ok(undefined));
      if (this.oneshot) this.received = true;
      return ok(s.message);
    }
    if (this.senders === 0) return err(E.closed());
    return null;
  }
  /** Tries to send now: a reply, or null. @param {Uint8Array} message */
  trySend(message) {
    if (this.receivers === 0) return err(E.closed());
    if (this.recvWaiters.length && this.queue.length === 0) {
      this.#deliver(message);
      return ok(undefined);
    }
    if (this.capacity !== 0 && this.hasRoom()) {
      this.queue.push(message);
      return ok(undefined);
    }
    return null;
  }
}

/** The shared end of a broadcast channel. */
export class BroadcastObj {
  kind = 'broadcast';
  /** @param {number | null} capacity */
  constructor(capacity) {
    this.capacity = capacity;
    /** @type {Set<SubscriptionObj>} */ this.subs = new Set();
    /** broadcaster handles and unredeemed tokens */
    this.handles = 0;
    /** @type {Waiter[]} */ this.sendWaiters = [];
  }
  /** @param {Uint8Array} message */
  trySend(message) {
    for (const s of this.subs) if (!s.hasRoom()) return null;
    for (const s of this.subs) {
      s.queue.push(message);
      s.pump();
    }
    return ok(this.subs.size);
  }
}

/** One subscriber of a broadcast channel: a receiver. */
export class SubscriptionObj {
  kind = 'subscription';
  /** @param {BroadcastObj} bc */
  constructor(bc) {
    this.bc = bc;
    /** @type {Uint8Array[]} */ this.queue = [];
    this.receivers = 0;
    /** @type {Waiter[]} */ this.recvWaiters = [];
  }
  hasRoom() {
    return this.bc.capacity === null || this.queue.length < this.bc.capacity;
  }
  tryRecv() {
    if (this.queue.length) {
      const m = /** @type {Uint8Array} */ (this.queue.shift());
      pump(this.bc.sendWaiters);
      return ok(m);
    }
    if (this.bc.handles === 0) return err(E.closed());
    return null;
  }
  pump() {
    pump(this.recvWaiters);
  }
}
