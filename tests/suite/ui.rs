//! Compile-time behaviour of `#[agent]`, `#[tool]` and `#[tool_args]`: every
//! case in `ui/pass` must build and run, every case in `ui/fail` must fail
//! with exactly the diagnostics recorded beside it.
//!
//! Diagnostics change between compiler releases, so the test only runs on the
//! toolchain the `.stderr` files were recorded with. To re-record after an
//! intended change: `TRYBUILD=overwrite cargo test --test ui`, then read every
//! changed `.stderr` as a user would.

#[rustversion::stable(1.95)]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/**/*.rs");
}
