// @ts-check
/**
 * Direct replies: a pool task's result reaches the thread waiting for it
 * without waiting for the pool worker's `done` message to the broker. A
 * pooled task costs postMessage hops (submit, the task to its worker, its
 * result back) and each is tens of microseconds (see the README's
 * Performance); this takes the last one off the waiter's path, and for a
 * thread that submitted the task and waits for it at once also the wait's
 * own round trip.
 *
 * Every task the broker dispatches or offers to a pool worker gets a cell:
 * one Int32 word of a SharedArrayBuffer every worker has, holding
 * `(seq << 10) | state`, where `seq` is the dispatch's number (21 bits,
 * wrapping; it tells a cell's tasks apart) and `state`
 *
 * - 0: not finished, nobody waits on the cell;
 * - 1..MAX_DIRECT_SLOT + 1: not finished, and the broker handed the waiter
 *   blocked on reply slot `state - 1` to the worker to answer;
 * - WAITING_HERE: not finished, and the waiting thread blocks on the cell
 *   word itself (`Atomics.wait`);
 * - FINISHED_DIRECT: finished; the worker answered a waiter handed over,
 *   and left the reply in the cell's result area if it fits there;
 * - FINISHED_VIA_BROKER: finished; waiters are the broker's to answer.
 *
 * Each change is one atomic operation naming the seq, so exactly one side
 * answers a waiter:
 *
 * - the broker arms a free cell before it posts the task, and tells the
 *   submitting thread the cell with the task's handle;
 * - the broker hands a waiter over with compare-exchange from state 0, and
 *   takes it back (a timed wait ran out) with compare-exchange to state 0;
 * - a waiting thread marks WAITING_HERE with compare-exchange from state 0
 *   and blocks on the word; it takes that back on a timeout the same way;
 * - the worker writes the reply to the result area and then ends the task
 *   with a compare-exchange to a finished state (which publishes the
 *   write); the old word tells it whom to answer: a handed-over waiter's
 *   slot, or a thread blocked on the word (notified);
 * - when the task stops being the worker's without finishing (an offer
 *   withdrawn, the worker died), the broker takes back a waiter handed over
 *   and ends the cell FINISHED_VIA_BROKER, waking a thread blocked on it,
 *   which then asks the broker;
 * - whoever finds the task finished with its reply in the result area
 *   reads it from there (the broker for a wait that reaches it late, the
 *   waiting thread for its own wait), re-checking the word after reading.
 *
 * The worker leaves a reply there only when nothing of the task can still
 * be on its way to the broker: nothing was sent to it since it dispatched
 * the task (no call, output or handle drop), the task did not trap, and the
 * reply fits. So the waiter observes what it would have through the broker.
 * The broker records the result when `done` arrives (a task's result stays
 * available) and until then treats a finished task as done for the worker
 * threads that ask (`state`), deferring their other waits on it to then.
 *
 * A cell is the broker's to reuse once the task is complete in its own
 * records; at most two tasks per pool thread (running, offered) hold one.
 * The cells of tasks whose worker failed are never reused (that worker's
 * JS may still be running). With none free a task simply goes the long way.
 */

/** How many cells there are: two per pool thread for 512 pool threads. */
export const CELLS = 1024;
/** Bytes of a cell's result area: a u32 length, then the encoded reply. */
const RESULT_BYTES = 256;

const STATE_BITS = 10;
const STATE_MASK = (1 << STATE_BITS) - 1;
const FINISHED_DIRECT = STATE_MASK;
const FINISHED_VIA_BROKER = STATE_MASK - 1;
const WAITING_HERE = STATE_MASK - 2;
/** The highest reply slot index whose waiter can be answered directly. */
export const MAX_DIRECT_SLOT = WAITING_HERE - 2;
/** Dispatch numbers are 1..MAX_SEQ, so a word stays a positive int32. */
const MAX_SEQ = 2 ** (31 - STATE_BITS) - 1;

/** @typedef {{ words: SharedArrayBuffer, results: SharedArrayBuffer }} SharedCells */
/** @typedef {'running' | 'answered' | 'via-broker'} Progress */

/** @returns {SharedCells} */
export function newCells() {
  return { words: new SharedArrayBuffer(CELLS * 4), results: new SharedArrayBuffer(CELLS * RESULT_BYTES) };
}

/** A view of the cells; what every side can do with them. */
export class Cells {
  /** @param {SharedCells} shared */
  constructor(shared) {
    this.shared = shared;
    this.words = new Int32Array(shared.words);
    this.results = new Uint8Array(shared.results);
  }

  /**
   * Whether the worker has finished the task (its `done` may not have been
   * handled yet), and if so whether it left the reply to be read here.
   * @param {number} cell @param {number} seq @returns {Progress}
   */
  progress(cell, seq) {
    return progressOf(Atomics.load(this.words, cell), seq);
  }

  /**
   * The reply the worker left for task `seq`, or null if there is none
   * (not finished, too big for the area, or the cell has moved on).
   * @param {number} cell @param {number} seq @returns {Uint8Array | null}
   */
  reply(cell, seq) {
    if (this.progress(cell, seq) !== 'answered') return null;
    const at = cell * RESULT_BYTES;
    const n = new DataView(this.results.buffer, at, 4).getUint32(0, true);
    const bytes = n ? this.results.slice(at + 4, at + 4 + n) : null;
    // The broker may have reused the cell while we read: then the word moved on.
    return this.progress(cell, seq) === 'answered' ? bytes : null;
  }

  /**
   * The waiting thread's side: blocks on the cell until the worker finishes
   * task `seq`, at most `ms` (Infinity: no limit). Returns 'finished' (read
   * `reply`, or ask the broker if there is none), 'timeout', or 'busy' when
   * the cell cannot be waited on (someone else waits; ask the broker).
   * @param {number} cell @param {number} seq @param {number} ms
   * @returns {'finished' | 'timeout' | 'busy'}
   */
  waitHere(cell, seq, ms) {
    const armed = seq << STATE_BITS;
    const here = armed | WAITING_HERE;
    const was = Atomics.compareExchange(this.words, cell, armed, here);
    if (was !== armed) return progressOf(was, seq) === 'running' ? 'busy' : 'finished';
    const until = performance.now() + ms;
    for (;;) {
      const left = until - performance.now();
      if (left <= 0) {
        if (Atomics.compareExchange(this.words, cell, here, armed) === here) return 'timeout';
        return 'finished';
      }
      Atomics.wait(this.words, cell, here, left === Infinity ? undefined : left);
      if (Atomics.load(this.words, cell) !== here) return 'finished';
    }
  }
}

/** @param {number} word @param {number} seq @returns {Progress} */
function progressOf(word, seq) {
  if (word >> STATE_BITS !== seq) return 'running';
  const state = word & STATE_MASK;
  if (state === FINISHED_DIRECT) return 'answered';
  if (state === FINISHED_VIA_BROKER) return 'via-broker';
  return 'running';
}

/** The reply slot index of a waiter handed over in `state`, or -1. @param {number} state */
function handedTo(state) {
  return state > 0 && state <= MAX_DIRECT_SLOT + 1 ? state - 1 : -1;
}

/** The broker's side: hands out cells and sequence numbers. */
export class CellTable extends Cells {
  /** @param {SharedCells} shared */
  constructor(shared) {
    super(shared);
    /** @type {boolean[]} cells in use */ this.used = new Array(CELLS).fill(false);
    this.seq = 0;
    this.cursor = 0;
  }

  /** A free cell, armed for a new dispatch; null if all are in use. @returns {{ cell: number, seq: number } | null} */
  take() {
    for (let n = 0; n < CELLS; n++) {
      const cell = this.cursor;
      this.cursor = (this.cursor + 1) % CELLS;
      if (this.used[cell]) continue;
      this.used[cell] = true;
      this.seq = (this.seq % MAX_SEQ) + 1;
      Atomics.store(this.words, cell, this.seq << STATE_BITS);
      return { cell, seq: this.seq };
    }
    return null;
  }

  /** @param {number} cell */
  release(cell) {
    this.used[cell] = false;
  }

  /**
   * Hands the waiter on reply slot `slotIndex` to the worker. False when it
   * has finished the task already, someone waits on the cell, or the slot
   * cannot be answered directly.
   * @param {number} cell @param {number} seq @param {number} slotIndex
   */
  handOver(cell, seq, slotIndex) {
    if (slotIndex > MAX_DIRECT_SLOT) return false;
    const armed = seq << STATE_BITS;
    return Atomics.compareExchange(this.words, cell, armed, armed | (slotIndex + 1)) === armed;
  }

  /**
   * Takes back a waiter handed over. False when the worker has finished the
   * task first: its `done` is on the way.
   * @param {number} cell @param {number} seq @param {number} slotIndex
   */
  takeBack(cell, seq, slotIndex) {
    const armed = seq << STATE_BITS;
    const handed = armed | (slotIndex + 1);
    return Atomics.compareExchange(this.words, cell, handed, armed) === handed;
  }

  /**
   * The task stopped being its worker's without finishing there (its offer
   * was withdrawn, or the worker died): the cell ends as the broker's, and a
   * thread blocked on it wakes and asks the broker. Returns what the cell
   * held: a handed-over waiter's slot index, or -1.
   * @param {number} cell @param {number} seq
   */
  endAsBroker(cell, seq) {
    const armed = seq << STATE_BITS;
    for (;;) {
      const word = Atomics.load(this.words, cell);
      if (progressOf(word, seq) !== 'running' || word >> STATE_BITS !== seq) return -1;
      if (Atomics.compareExchange(this.words, cell, word, armed | FINISHED_VIA_BROKER) !== word) continue;
      const state = word & STATE_MASK;
      if (state === WAITING_HERE) Atomics.notify(this.words, cell);
      return handedTo(state);
    }
  }
}

/**
 * The worker's side: ends task `seq` in `cell`. Given its `reply` (null: it
 * cannot skip the broker), it leaves the reply in the result area if it
 * fits, wakes a thread blocked on the cell, and returns the reply slot
 * index of a waiter handed over, which it then must answer; else -1.
 * @param {Cells} cells @param {number} cell @param {number} seq @param {Uint8Array | null} reply
 */
export function finish(cells, cell, seq, reply) {
  if (reply) {
    const at = cell * RESULT_BYTES;
    const fits = reply.length <= RESULT_BYTES - 4;
    if (fits) cells.results.set(reply, at + 4);
    new DataView(cells.results.buffer, at, 4).setUint32(0, fits ? reply.length : 0, true);
  }
  const done = (seq << STATE_BITS) | (reply ? FINISHED_DIRECT : FINISHED_VIA_BROKER);
  // Publishes the result area's bytes to whoever reads this word after it;
  // never touches a cell that has moved on to another task.
  let word = Atomics.load(cells.words, cell);
  for (;;) {
    if (word >> STATE_BITS !== seq) return -1;
    const seen = Atomics.compareExchange(cells.words, cell, word, done);
    if (seen === word) break;
    word = seen;
  }
  const state = word & STATE_MASK;
  if (state === WAITING_HERE) Atomics.notify(cells.words, cell);
  return reply ? handedTo(state) : -1;
}
