//! The whole of `skaffold new` that involves no I/O: manifest text in, files out.
//!
//! Everything here is a pure function of its inputs, which is what makes output byte-identical
//! for the same manifest and version, and what the snapshot tests and benchmarks call.

use crate::artifacts::Artifacts;
use crate::diagnostic::Diagnostic;
use crate::manifest::{self, CheckContext, Override};
use crate::model::Service;
use crate::render::{self, RenderError, RenderedFile};
use crate::templates::Stack;
use crate::write;

/// The five stacks the product defines. A manifest may name any of them, even when this build
/// (or a fork) has no templates for it yet; `new` then says so.
pub const PRODUCT_STACKS: [&str; 5] = ["axum", "fastify", "fastapi", "go", "aspnet"];

/// Validates manifest text with `--set` overrides applied.
pub fn service(manifest_text: &str, overrides: &[Override], available: &[String]) -> Result<Service, Vec<Diagnostic>> {
    let mut stacks: Vec<&str> = PRODUCT_STACKS.to_vec();
    stacks.extend(available.iter().map(String::as_str).filter(|s| !PRODUCT_STACKS.contains(s)));
    manifest::load_with(manifest_text, overrides, CheckContext { src: manifest_text, stacks: &stacks })
}

/// Every file of the rendered service, including `.skaffold/manifest.yaml` and `.skaffold/lock.json`.
pub fn files(
    service: &Service,
    stack: &Stack,
    manifest_text: &str,
    overrides: &[Override],
    templates_label: &str,
) -> Result<Vec<RenderedFile>, RenderError> {
    let rendered = render::render(stack, service, &Artifacts::of(service))?;
    let overrides: Vec<String> = overrides.iter().map(|o| o.text.clone()).collect();
    Ok(write::with_lock(rendered, manifest_text, &stack.name, templates_label, &overrides))
}
