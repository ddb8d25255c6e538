//! Compile-time behaviour of `#[agent]`, `#[tool]` and `#[tool_args]`: every
//! case in `tests/ui/pass` must build and run, every case in `tests/ui/fail`
//! must fail with exactly the diagnostics recorded beside it.
//!
//! Diagnostics change between compiler releases, so the test runs only on
//! the toolchain the `.stderr` files were recorded with (rustc 1.95); on any
//! other it is reported as ignored, with the reason. To re-record after an
//! intended change: `TRYBUILD=overwrite cargo test --test suite ui`, then read
//! every changed `.stderr` as a user would.

// Before `#[test]`: `#[test]` reads `#[ignore]` when it expands, so the
// attribute must already be there.
#[rustversion::attr(
    not(stable(1.95)),
    ignore = "UI diagnostics are recorded with rustc 1.95; run on that toolchain"
)]
#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/**/*.rs");
}
