//! Names the backend: `portalis_component` on `wasm32-wasip2`, where workers
//! are component instances; everywhere else workers share memory.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(portalis_component)");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let family = std::env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    if family.split(',').any(|f| f == "wasm") && os == "wasi" && env == "p2" {
        println!("cargo::rustc-cfg=portalis_component");
    }
}
