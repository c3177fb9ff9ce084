//! The one integration-test binary: every test runs the real `skaffold` executable (or, for whole
//! rendered trees, the library's pure pipeline) and checks what a user would see.

#![allow(clippy::unwrap_used)] // A failed unwrap in a test is a failed test with its location.

mod harness;

mod conform;
mod errors;
mod examples;
mod init;
mod loader;
mod new;
mod schema;
mod stacks;
mod templates;
