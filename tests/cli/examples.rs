//! Every manifest in `examples/` validates, and renders for every stack that has templates. The
//! rendered trees are snapshotted file by file under `tests/cli/snapshots/<stack>/<example>/`.

use std::path::Path;

use skaffold::render::RenderedFile;
use skaffold::templates::Source;

use crate::harness::{Test, embedded_stacks, example_manifests};

fn render(manifest: &Path, stack: &str) -> Vec<RenderedFile> {
    let text = fs_err::read_to_string(manifest).unwrap();
    let service = skaffold::generate::service(&text, &[], &embedded_stacks()).expect("the example is valid");
    let stack = Source::Embedded.load(stack).expect("the stack loads");
    skaffold::generate::files(&service, &stack, &text, &[], "embedded").expect("the example renders")
}

fn stem(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

#[test]
fn every_example_validates() {
    for manifest in example_manifests() {
        let run = Test::new().arg("validate").arg(&manifest).run();
        assert!(run.stdout.contains(": valid ("), "{}", run.stdout);
    }
}

#[test]
fn every_example_renders_for_every_stack_as_snapshotted() {
    let _guard = crate::harness::snapshot_guard();
    for stack in embedded_stacks() {
        for manifest in example_manifests() {
            let example = stem(&manifest);
            let files = render(&manifest, &stack);
            let listing: String = files
                .iter()
                .map(|f| format!("{} {:>7}  {}\n", if f.executable { "755" } else { "644" }, f.contents.len(), f.path))
                .collect();
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path(format!("snapshots/{stack}/{example}"));
            settings.set_prepend_module_to_snapshot(false);
            settings.set_omit_expression(true);
            settings.bind(|| {
                insta::assert_snapshot!("_tree", listing);
                for file in &files {
                    let text = String::from_utf8(file.contents.clone()).expect("rendered files are text");
                    insta::assert_snapshot!(file.path.replace('/', "__"), text);
                }
            });
        }
    }
}

#[test]
fn rendering_is_deterministic_and_the_binary_writes_what_the_library_renders() {
    let tmp = tempfile::tempdir().unwrap();
    for manifest in example_manifests() {
        let files = render(&manifest, "axum");
        assert_eq!(files, render(&manifest, "axum"), "two renders of {} differ", manifest.display());
        let out = tmp.path().join(stem(&manifest));
        Test::new().arg("new").arg(&manifest).args(["--stack", "axum", "--out"]).arg(&out).run();
        let written = crate::harness::tree(&out);
        let expected: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(written, expected);
        for file in &files {
            assert_eq!(fs_err::read(out.join(&file.path)).unwrap(), file.contents, "{}", file.path);
        }
    }
}

#[test]
fn rendered_text_uses_lf_line_endings_only() {
    for manifest in example_manifests() {
        for file in render(&manifest, "axum") {
            assert!(!file.contents.contains(&b'\r'), "{} holds a carriage return", file.path);
        }
    }
}
