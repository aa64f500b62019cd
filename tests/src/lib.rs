//! Tests that span the workspace; see `tests/`.
