// @ts-check
/** `portalis:threading/channel`: senders, receivers and broadcasters. */
import { symbolDispose, wrap } from './runtime-link.js';

/** @param {import('./runtime-link.js').Link} link */
export function createChannel(link) {
  class Sender {
    /** @type {number} */ h = 0;
    /** @param {bigint} token */
    static open(token) {
      return wrap(Sender, link.call('open', ['sender', token]));
    }
    /** @param {Uint8Array} message @param {any} wait */
    send(message, wait) {
      link.call('sender.send', [this.h, message, wait]);
    }
    clone() {
      return wrap(Sender, link.call('clone', [this.h]));
    }
    len() {
      return link.call('sender.len', [this.h]);
    }
    capacity() {
      return link.call('sender.capacity', [this.h]);
    }
    share() {
      return link.call('sender.share', [this.h]);
    }
    [symbolDispose]() {
      link.drop(this.h);
    }
  }

  class Receiver {
    /** @type {number} */ h = 0;
    /** @param {bigint} token */
    static open(token) {
      return wrap(Receiver, link.call('open', ['receiver', token]));
    }
    /** @param {any} wait */
    recv(wait) {
      return link.call('receiver.recv', [this.h, wait]);
    }
    clone() {
      return wrap(Receiver, link.call('clone', [this.h]));
    }
    len() {
      return link.call('receiver.len', [this.h]);
    }
    share() {
      return link.call('receiver.share', [this.h]);
    }
    [symbolDispose]() {
      link.drop(this.h);
    }
  }

  class Broadcaster {
    /** @type {number} */ h = 0;
    /** @param {bigint} token */
    static open(token) {
      return wrap(Broadcaster, link.call('open', ['broadcaster', token]));
    }
    /** @param {Uint8Array} message @param {any} wait */
    send(message, wait) {
      return link.call('broadcaster.send', [this.h, message, wait]);
    }
    subscribe() {
      return wrap(Receiver, link.call('broadcaster.subscribe', [this.h]));
    }
    share() {
      return link.call('broadcaster.share', [this.h]);
    }
    [symbolDispose]() {
      link.drop(this.h);
    }
  }

  /** @param {[number, number]} ends */
  const pair = ([tx, rx]) => [wrap(Sender, tx), wrap(Receiver, rx)];

  return {
    Sender,
    Receiver,
    Broadcaster,
    /** @param {number} capacity */
    bounded: (capacity) => pair(link.call('channel.bounded', [capacity])),
    unbounded: () => pair(link.call('channel.unbounded', [])),
    oneshot: () => pair(link.call('channel.oneshot', [])),
    /** @param {number | undefined} capacity */
    broadcast: (capacity) => wrap(Broadcaster, link.call('channel.broadcast', [capacity])),
  };
}
