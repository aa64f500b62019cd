// @ts-check
/** `portalis:threading/lock`: mutex, rwlock, semaphore, barrier, condition, event. */
import { symbolDispose, wrap } from './runtime-link.js';

/** @param {import('./runtime-link.js').Link} link */
export function createLock(link) {
  /**
   * A resource class whose methods are broker operations `<kind>.<method>`.
   * @param {string} kind
   */
  const base = (kind) =>
    class {
      /** @type {number} */ h = 0;
      share() {
        return link.call(`${kind}.share`, [this.h]);
      }
      [symbolDispose]() {
        link.drop(this.h);
      }
    };

  class Mutex extends base('mutex') {
    static new() {
      return wrap(Mutex, link.call('mutex.new', []));
    }
    /** @param {bigint} token */
    static open(token) {
      return wrap(Mutex, link.call('open', ['mutex', token]));
    }
    /** @param {any} wait */
    lock(wait) {
      link.call('mutex.lock', [this.h, wait]);
    }
    unlock() {
      link.call('mutex.unlock', [this.h]);
    }
    isLocked() {
      return link.call('mutex.is-locked', [this.h]);
    }
  }

  class Rwlock extends base('rwlock') {
    static new() {
      return wrap(Rwlock, link.call('rwlock.new', []));
    }
    /** @param {bigint} token */
    static open(token) {
      return wrap(Rwlock, link.call('open', ['rwlock', token]));
    }
    /** @param {any} wait */
    read(wait) {
      link.call('rwlock.read', [this.h, wait]);
    }
    /** @param {any} wait */
    write(wait) {
      link.call('rwlock.write', [this.h, wait]);
    }
    unlockRead() {
      link.call('rwlock.unlock-read', [this.h]);
    }
    unlockWrite() {
      link.call('rwlock.unlock-write', [this.h]);
    }
  }

  class Semaphore extends base('semaphore') {
    /** @param {number} permits @param {number | undefined} bound */
    static new(permits, bound) {
      return wrap(Semaphore, link.call('semaphore.new', [permits, bound]));
    }
    /** @param {bigint} token */
    static open(token) {
      return wrap(Semaphore, link.call('open', ['semaphore', token]));
    }
    /** @param {any} wait */
    acquire(wait) {
      link.call('semaphore.acquire', [this.h, wait]);
    }
    /** @param {number} n */
    release(n) {
      link.call('semaphore.release', [this.h, n]);
    }
    available() {
      return link.call('semaphore.available', [this.h]);
    }
  }

  class Barrier extends base('barrier') {
    /** @param {number} parties */
    static new(parties) {
      return wrap(Barrier, link.call('barrier.new', [parties]));
    }
    /** @param {bigint} token */
    static open(token) {
      return wrap(Barrier, link.call('open', ['barrier', token]));
    }
    /** @param {any} wait */
    wait(wait) {
      return link.call('barrier.wait', [this.h, wait]);
    }
    abort() {
      link.call('barrier.abort', [this.h]);
    }
    reset() {
      link.call('barrier.reset', [this.h]);
    }
    isBroken() {
      return link.call('barrier.is-broken', [this.h]);
    }
    parties() {
      return link.call('barrier.parties', [this.h]);
    }
    nWaiting() {
      return link.call('barrier.n-waiting', [this.h]);
    }
  }

  class Condition extends base('condition') {
    /** @param {Mutex} lock */
    static new(lock) {
      return wrap(Condition, link.call('condition.new', [lock.h]));
    }
    /** @param {bigint} token */
    static open(token) {
      return wrap(Condition, link.call('open', ['condition', token]));
    }
    mutex() {
      return wrap(Mutex, link.call('condition.mutex', [this.h]));
    }
    /** @param {any} wait */
    wait(wait) {
      link.call('condition.wait', [this.h, wait]);
    }
    /** @param {number} n */
    notify(n) {
      return link.call('condition.notify', [this.h, n]);
    }
    notifyAll() {
      return link.call('condition.notify-all', [this.h]);
    }
  }

  class Event extends base('event') {
    static new() {
      return wrap(Event, link.call('event.new', []));
    }
    /** @param {bigint} token */
    static open(token) {
      return wrap(Event, link.call('open', ['event', token]));
    }
    set() {
      link.call('event.set', [this.h]);
    }
    clear() {
      link.call('event.clear', [this.h]);
    }
    isSet() {
      return link.call('event.is-set', [this.h]);
    }
    /** @param {any} wait */
    wait(wait) {
      link.call('event.wait', [this.h, wait]);
    }
  }

  return { Mutex, Rwlock, Semaphore, Barrier, Condition, Event };
}
