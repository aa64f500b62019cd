//! Encode + decode of a 1 KiB message and of a small struct: our codec
//! (postcard) beside bincode 1.3, the format it replaced.

use criterion::{Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};
use std::hint::black_box;

use portalis_threading::{Codec, Message};

#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
struct Bytes(#[serde(with = "serde_bytes")] Vec<u8>);

#[derive(Serialize, Deserialize, Clone, PartialEq, Debug)]
struct Job {
    id: u64,
    name: String,
    ok: bool,
    ranges: [u32; 4],
}

fn codecs(c: &mut Criterion) {
    let codec = Codec::new();
    let kib: Vec<u8> = (0..1024).map(|i| i as u8).collect();
    let bytes = Message::Data(Bytes(kib.clone()));
    let plain = Message::Data(kib);
    let job = Message::Data(Job {
        id: 42,
        name: "resize-7".into(),
        ok: true,
        ranges: [1, 2, 3, 4],
    });

    let mut g = c.benchmark_group("codec_1kib_bytes");
    g.bench_function("portalis", |b| {
        b.iter(|| {
            let e = codec.encode(black_box(&bytes)).unwrap();
            codec.decode::<Message<Bytes>>(&e).unwrap()
        })
    });
    g.bench_function("bincode1", |b| {
        b.iter(|| {
            let e = bincode::serialize(black_box(&bytes)).unwrap();
            bincode::deserialize::<Message<Bytes>>(&e).unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("codec_1kib_vec_u8");
    g.bench_function("portalis", |b| {
        b.iter(|| {
            let e = codec.encode(black_box(&plain)).unwrap();
            codec.decode::<Message<Vec<u8>>>(&e).unwrap()
        })
    });
    g.bench_function("bincode1", |b| {
        b.iter(|| {
            let e = bincode::serialize(black_box(&plain)).unwrap();
            bincode::deserialize::<Message<Vec<u8>>>(&e).unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("codec_small_struct");
    g.bench_function("portalis", |b| {
        b.iter(|| {
            let e = codec.encode(black_box(&job)).unwrap();
            codec.decode::<Message<Job>>(&e).unwrap()
        })
    });
    g.bench_function("bincode1", |b| {
        b.iter(|| {
            let e = bincode::serialize(black_box(&job)).unwrap();
            bincode::deserialize::<Message<Job>>(&e).unwrap()
        })
    });
    g.finish();
}

criterion_group!(benches, codecs);
criterion_main!(benches);
