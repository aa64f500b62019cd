//! Runs `MODULE.wasm [ARGS...]` (a `wasm32-wasip1-threads` program) the way
//! wasmtime 46's CLI did: wasi-common for preview1, wasmtime-wasi-threads for
//! `thread-spawn`. `THREADS` (default 2) goes to the guest as
//! `RAYON_NUM_THREADS` and `PORTALIS_THREADS`, as portalis-threading's host
//! does.

use std::sync::Arc;

use wasi_common::sync::WasiCtxBuilder;
use wasmtime::{Config, Engine, Linker, Module, Store};
use wasmtime_wasi_threads::WasiThreadsCtx;

#[derive(Clone)]
struct Host {
    wasi: wasi_common::WasiCtx,
    threads: Option<Arc<WasiThreadsCtx<Host>>>,
}

fn main() -> wasmtime::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: wasmtime46-harness MODULE.wasm [ARGS...]");
        std::process::exit(2);
    };
    let threads = std::env::var("THREADS").unwrap_or_else(|_| "2".into());
    let mut config = Config::new();
    config.wasm_threads(true).shared_memory(true);
    let engine = Engine::new(&config)?;
    let module = Module::from_file(&engine, path)?;

    let mut linker = Linker::new(&engine);
    wasi_common::sync::add_to_linker(&mut linker, |h: &mut Host| &mut h.wasi)?;
    let wasi = WasiCtxBuilder::new()
        .inherit_stdio()
        .args(&args)?
        .env("RAYON_NUM_THREADS", &threads)?
        .env("PORTALIS_THREADS", &threads)?
        .build();
    let mut store = Store::new(&engine, Host { wasi, threads: None });
    wasmtime_wasi_threads::add_to_linker(&mut linker, &store, &module, |h: &mut Host| {
        h.threads.as_ref().expect("set before start")
    })?;
    let ctx = WasiThreadsCtx::new(module.clone(), Arc::new(linker.clone()), false)?;
    store.data_mut().threads = Some(Arc::new(ctx));
    let instance = linker.instantiate(&mut store, &module)?;
    instance
        .get_typed_func::<(), ()>(&mut store, "_start")?
        .call(&mut store, ())?;
    Ok(())
}
