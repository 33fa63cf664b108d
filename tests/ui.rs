//! Compile-fail cases: every mistake in a model is a compile error on the user's token.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/**/*.rs");
}
