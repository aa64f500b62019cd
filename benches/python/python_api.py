"""CPython's side of benches/benches/python.rs: the same operations, timed here.

Prints one line per benchmark, `name ns_per_op`, the median of several
repeats measured with time.perf_counter_ns. Run by the Rust benchmark in the
same benchmark run; can also be run alone: python3 benches/python/python_api.py
"""

import queue
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

REPEATS = 5


def median_ns(run, ops):
    """Median over REPEATS runs of run(), in ns per op."""
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter_ns()
        run()
        samples.append((time.perf_counter_ns() - start) / ops)
    return statistics.median(samples)


def queue_put_get(n=20000):
    def run():
        q = queue.Queue()

        def consume():
            for _ in range(n):
                q.get()

        t = threading.Thread(target=consume)
        t.start()
        for i in range(n):
            q.put(i)
        t.join()

    return median_ns(run, n)


def lock_acquire_release(n=200000):
    lock = threading.Lock()

    def run():
        acquire, release = lock.acquire, lock.release
        for _ in range(n):
            acquire()
            release()

    return median_ns(run, n)


def executor_round_trip(n=5000):
    ex = ThreadPoolExecutor(max_workers=2)

    def seven():
        return 7

    # Warm up: start the workers.
    for _ in range(10):
        ex.submit(seven).result()

    def run():
        for _ in range(n):
            ex.submit(seven).result()

    try:
        return median_ns(run, n)
    finally:
        ex.shutdown()


def event_handoff(n=5000):
    def run():
        ping, pong = threading.Event(), threading.Event()

        def other():
            for _ in range(n):
                ping.wait()
                ping.clear()
                pong.set()

        t = threading.Thread(target=other)
        t.start()
        for _ in range(n):
            ping.set()
            pong.wait()
            pong.clear()
        t.join()

    return median_ns(run, n)


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_primes(lo, hi):
    return sum(1 for n in range(lo, hi) if is_prime(n))


PRIMES_BELOW = 200_000
CHUNKS = 8


def cpu_bound(workers):
    step = PRIMES_BELOW // CHUNKS
    with ThreadPoolExecutor(max_workers=workers) as ex:
        # Warm up the workers.
        ex.submit(count_primes, 0, 10).result()

        def run():
            futures = [ex.submit(count_primes, i * step, (i + 1) * step) for i in range(CHUNKS)]
            total = sum(f.result() for f in futures)
            assert total == 17984, total

        samples = []
        for _ in range(3):
            start = time.perf_counter_ns()
            run()
            samples.append(time.perf_counter_ns() - start)
        return statistics.median(samples)


BENCHES = {
    "queue_put_get": queue_put_get,
    "lock_acquire_release": lock_acquire_release,
    "executor_round_trip": executor_round_trip,
    "event_handoff": event_handoff,
    "cpu_bound_1_worker": lambda: cpu_bound(1),
    "cpu_bound_2_workers": lambda: cpu_bound(2),
}


def main():
    only = set(sys.argv[1:])
    print(f"# {sys.implementation.name} {sys.version.split()[0]}", flush=True)
    for name, bench in BENCHES.items():
        if only and name not in only:
            continue
        print(f"{name} {bench():.1f}", flush=True)


if __name__ == "__main__":
    main()
