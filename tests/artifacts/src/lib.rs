//! Paths of the guest test programs built for `wasm32-wasip2`.

include!(concat!(env!("OUT_DIR"), "/gen.rs"));
