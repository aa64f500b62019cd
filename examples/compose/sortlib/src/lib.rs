//! A library component: parallel sort and checksum, on the host's workers.
//!
//! Its tasks are its own (`portalis_example_sortlib::...`); composed into an
//! app, they still reach this library through the worker chain (see the
//! guest SDK's docs, "Composition").

use portalis_threading_guest::{ThreadPool, current_id, task, tasks};

task! {
    /// Sorts one chunk.
    pub fn sort_chunk(chunk: Vec<u32>) -> Vec<u32> {
        let mut chunk = chunk;
        chunk.sort_unstable();
        chunk
    }

    /// FNV-1a over one block, repeated to make it CPU-bound. (A `ByteBuf`
    /// crosses as one byte string; a `Vec<u8>` would be encoded byte by
    /// byte.)
    pub fn checksum_block(block: serde_bytes::ByteBuf) -> u64 {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for _ in 0..64 {
            for &b in block.iter() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    }

    /// The id of the worker that runs it.
    pub fn where_am_i(_unit: ()) -> u64 {
        current_id()
    }
}

tasks!(sort_chunk, checksum_block, where_am_i);

/// Sorts `items` on `workers` workers: sorted chunks, then a k-way merge.
pub fn sort(items: Vec<u32>, workers: usize) -> Vec<u32> {
    let pool = ThreadPool::new(workers).expect("a pool");
    let chunk = items.len().div_ceil(pool.workers() * 4).max(1);
    let chunks: Vec<Vec<u32>> = items.chunks(chunk).map(<[u32]>::to_vec).collect();
    let sorted = pool
        .map(sort_chunk, chunks)
        .expect("sorting a chunk never fails");
    merge(sorted)
}

/// A checksum of `data`: the blocks' hashes combined in order.
pub fn checksum(data: Vec<u8>, workers: usize) -> u64 {
    let pool = ThreadPool::new(workers).expect("a pool");
    let blocks: Vec<serde_bytes::ByteBuf> = data
        .chunks(64 * 1024)
        .map(|b| serde_bytes::ByteBuf::from(b.to_vec()))
        .collect();
    pool.map(checksum_block, blocks)
        .expect("hashing never fails")
        .into_iter()
        .fold(0u64, |acc, h| acc.rotate_left(7) ^ h)
}

/// The id of the worker that ran a task of this library.
pub fn probe() -> u64 {
    portalis_threading_guest::spawn(where_am_i, ())
        .and_then(|h| h.join())
        .expect("a worker")
}

fn merge(runs: Vec<Vec<u32>>) -> Vec<u32> {
    let mut heads: Vec<(usize, usize)> = (0..runs.len()).map(|r| (r, 0)).collect();
    let mut out = Vec::with_capacity(runs.iter().map(Vec::len).sum());
    loop {
        let next = heads
            .iter()
            .enumerate()
            .filter(|&(_, &(r, i))| i < runs[r].len())
            .min_by_key(|&(_, &(r, i))| runs[r][i])
            .map(|(k, _)| k);
        let Some(k) = next else { break };
        let (r, i) = heads[k];
        out.push(runs[r][i]);
        heads[k].1 += 1;
    }
    out
}

#[cfg(all(target_family = "wasm", target_os = "wasi", target_env = "p2"))]
mod component {
    wit_bindgen::generate!({
        path: ["../../../wit", "../wit"],
        world: "portalis:sort/sortlib",
        generate_all,
    });

    struct Sorter;

    impl exports::portalis::sort::sorter::Guest for Sorter {
        fn sort(items: Vec<u32>, workers: u32) -> Vec<u32> {
            super::sort(items, workers as usize)
        }

        fn checksum(data: Vec<u8>, workers: u32) -> u64 {
            super::checksum(data, workers as usize)
        }

        fn probe() -> u64 {
            super::probe()
        }
    }

    export!(Sorter);
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_and_hashes_natively() {
        let items: Vec<u32> = (0..10_000u32)
            .map(|i| i.wrapping_mul(2_654_435_761) % 1000)
            .collect();
        let mut expected = items.clone();
        expected.sort_unstable();
        assert_eq!(super::sort(items, 2), expected);
        let data = vec![7u8; 200_000];
        assert_eq!(super::checksum(data.clone(), 1), super::checksum(data, 2));
    }
}
