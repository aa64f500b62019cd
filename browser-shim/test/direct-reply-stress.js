// @ts-check
/**
 * A stress test of the direct-reply cells (src/direct-reply.js) on real
 * threads: this thread plays the broker, one worker_thread finishes tasks
 * as a pool worker does (with or without a reply to leave), another waits
 * for them the three ways a waiting thread can (blocked on the cell with a
 * timeout that races the finish; handed over to the finishing worker, with
 * the broker taking it back when the wait times out; woken by the broker
 * ending the cell itself). Every round checks that each waiter is answered
 * exactly once and with the right bytes. Bounded: ROUNDS rounds, each
 * with a timeout.
 */
import { Worker } from 'node:worker_threads';
import { CellTable, newCells } from '../src/direct-reply.js';

const ROUNDS = 3000;

// The two threads: `finisher` ends tasks, `waiter` waits for them.
const threadCode = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { Cells, finish } = await import(workerData.module);
  const cells = new Cells(workerData.cells);
  const slot = new Int32Array(workerData.slot); // the waiter's reply slot: [0] answered seq
  const spin = (us) => { const end = performance.now() + us / 1000; while (performance.now() < end); };
  parentPort.on('message', (m) => {
    if (workerData.role === 'finisher') {
      spin(m.spin);
      const reply = m.withReply ? new Uint8Array([m.seq & 255, (m.seq >> 8) & 255, 7]) : null;
      const to = finish(cells, m.cell, m.seq, reply);
      if (to >= 0) { Atomics.store(slot, 0, m.seq); Atomics.notify(slot, 0); }
      parentPort.postMessage({ answered: to });
      return;
    }
    // waiter
    if (m.how === 'here') {
      const r = cells.waitHere(m.cell, m.seq, m.ms);
      const bytes = r === 'finished' ? cells.reply(m.cell, m.seq) : null;
      parentPort.postMessage({ r, bytes: bytes && [...bytes] });
    } else {
      // handed over: block on the reply slot, at most m.ms
      const got = Atomics.wait(slot, 0, 0, m.ms);
      parentPort.postMessage({ r: got === 'timed-out' && Atomics.load(slot, 0) === 0 ? 'timeout' : 'answered', seq: Atomics.load(slot, 0) });
    }
  });
  parentPort.postMessage('up');
})();
`;

/** @param {Worker} w @returns {Promise<any>} */
const next = (w) => new Promise((resolve) => w.once('message', resolve));

/** @returns {Promise<string | null>} what went wrong, or null */
export async function directReplyStress() {
  const shared = newCells();
  const table = new CellTable(shared);
  const slotBuf = new SharedArrayBuffer(4);
  const slot = new Int32Array(slotBuf);
  const module = new URL('../src/direct-reply.js', import.meta.url).href;
  const start = (/** @type {string} */ role) => new Worker(threadCode, { eval: true, workerData: { role, module, cells: shared, slot: slotBuf } });
  const finisher = start('finisher');
  const waiter = start('waiter');
  try {
    await Promise.all([next(finisher), next(waiter)]);
    const counts = { direct: 0, timeouts: 0, viaBroker: 0, woken: 0, handed: 0, takenBack: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      const c = table.take();
      if (!c) return 'no free cell';
      const { cell, seq } = c;
      const withReply = i % 5 !== 0;
      const kind = i % 3; // 0: wait here, 1: handed over, 2: the broker ends the cell
      const spin = (i * 7919) % 300; // µs before the finish
      const ms = (i % 4) * 0.1; // a timeout that races it
      Atomics.store(slot, 0, 0);
      if (kind === 1) {
        if (!table.handOver(cell, seq, 0)) return `round ${i}: hand-over refused on a fresh cell`;
        counts.handed++;
        const waited = next(waiter);
        waiter.postMessage({ how: 'slot', ms: ms + 0.05 });
        const finished = next(finisher);
        finisher.postMessage({ cell, seq, withReply, spin });
        const w = await waited;
        let tookBack = false;
        if (w.r === 'timeout') {
          // The broker takes the waiter back, unless the finisher has it.
          tookBack = table.takeBack(cell, seq, 0);
          if (tookBack) counts.takenBack++;
        }
        const f = await finished;
        const answeredByFinisher = f.answered === 0;
        if (answeredByFinisher && tookBack) return `round ${i}: a waiter taken back was answered by the finisher`;
        if (answeredByFinisher !== (withReply && !tookBack)) return `round ${i}: finisher answered=${answeredByFinisher}, reply=${withReply}, taken back=${tookBack}`;
        if (answeredByFinisher && Atomics.load(slot, 0) !== seq) return `round ${i}: the slot holds ${Atomics.load(slot, 0)}, not ${seq}`;
        if (answeredByFinisher) counts.direct++;
        else counts.viaBroker++;
      } else if (kind === 0) {
        const waited = next(waiter);
        waiter.postMessage({ how: 'here', cell, seq, ms: ms === 0 ? Infinity : ms });
        const finished = next(finisher);
        finisher.postMessage({ cell, seq, withReply, spin });
        const [w, f] = await Promise.all([waited, finished]);
        if (f.answered !== -1) return `round ${i}: the finisher found a waiter slot ${f.answered}`;
        if (w.r === 'timeout') {
          counts.timeouts++;
        } else if (w.r !== 'finished') {
          return `round ${i}: waitHere gave ${w.r}`;
        } else if (withReply) {
          const want = [seq & 255, (seq >> 8) & 255, 7];
          if (JSON.stringify(w.bytes) !== JSON.stringify(want)) return `round ${i}: read ${JSON.stringify(w.bytes)}, want ${JSON.stringify(want)}`;
          counts.direct++;
        } else {
          if (w.bytes !== null) return `round ${i}: a reply read where the finisher left none`;
          counts.viaBroker++;
        }
        const p = table.progress(cell, seq);
        if (p !== (withReply ? 'answered' : 'via-broker')) return `round ${i}: progress ${p} after the finish`;
      } else {
        // The task stops being the worker's (offer withdrawn): the broker
        // ends the cell and the thread blocked on it must wake.
        const waited = next(waiter);
        waiter.postMessage({ how: 'here', cell, seq, ms: Infinity });
        const end = performance.now() + spin / 1000;
        while (performance.now() < end);
        if (table.endAsBroker(cell, seq) !== -1) return `round ${i}: endAsBroker reported a handed-over waiter`;
        const w = await waited;
        if (w.r !== 'finished' || w.bytes !== null) return `round ${i}: the waiter got ${JSON.stringify(w)}`;
        if (table.progress(cell, seq) !== 'via-broker') return `round ${i}: progress ${table.progress(cell, seq)}`;
        counts.woken++;
      }
      table.release(cell);
    }
    if (!counts.direct || !counts.viaBroker || !counts.timeouts || !counts.woken || !counts.takenBack) {
      return `a race was never seen: ${JSON.stringify(counts)}`;
    }
    return null;
  } finally {
    await Promise.all([finisher.terminate(), waiter.terminate()]);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = performance.now();
  const why = await directReplyStress();
  console.log(why ?? `ok (${(performance.now() - t0).toFixed(0)} ms)`);
  process.exit(why ? 1 : 0);
}
