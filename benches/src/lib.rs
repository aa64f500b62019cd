//! Criterion benchmarks for `portalis-threading`; each group puts our
//! implementation beside its peers. Results are recorded in `README.md`.
