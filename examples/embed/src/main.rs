//! An embedder's own wasmtime host with portalis-threading added beside
//! wasmtime-wasi: its own Store data, its own linker, and a [`Run`] per
//! program.
//!
//! ```text
//! cargo run -p portalis-example-embed -- app.wasm [ARGS...]
//! ```

use portalis_threading_host::{
    Run, RunConfig, StopReason, ThreadingCtx, ThreadingCtxView, ThreadingView,
};
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi::p2::bindings::sync::CommandPre;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// The embedder's Store data: WASI, threading, and one resource table.
struct State {
    wasi: WasiCtx,
    threading: ThreadingCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl ThreadingView for State {
    fn threading(&mut self) -> ThreadingCtxView<'_> {
        ThreadingCtxView {
            ctx: &mut self.threading,
            table: &mut self.table,
        }
    }
}

/// Store data for the main instance and for every worker.
fn state(args: &[String], threading: ThreadingCtx) -> State {
    State {
        wasi: WasiCtx::builder().inherit_stdio().args(args).build(),
        threading,
        table: ResourceTable::new(),
    }
}

fn main() -> wasmtime::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: portalis-example-embed APP.wasm [ARGS...]");
        std::process::exit(2);
    };

    // Epoch interruption lets a run stop its workers.
    let engine = Engine::new(Config::new().epoch_interruption(true))?;
    let mut linker = Linker::<State>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
    portalis_threading_host::add_to_linker(&mut linker)?;

    let component = Component::from_file(&engine, path)?;
    let pre = linker.instantiate_pre(&component)?;
    let worker_args = args.clone();
    let run = Run::new(&pre, RunConfig::default(), move |ctx| {
        state(&worker_args, ctx)
    })?;

    let mut store = Store::new(&engine, state(&args, run.main_ctx()));
    run.configure_store(&mut store);
    let command = CommandPre::new(pre)?.instantiate(&mut store)?;
    let status = match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => 0,
        Ok(Err(())) => 1,
        Err(e) => {
            eprintln!(
                "the program trapped: {}",
                portalis_threading_host::one_line(&e)
            );
            134
        }
    };
    drop(store);
    let report = run.finish(StopReason::Exited(status));
    eprintln!("run ended: {} after {:?}", report.reason, report.elapsed);
    std::process::exit(status);
}
