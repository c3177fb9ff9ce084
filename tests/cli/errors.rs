//! Every broken manifest in `tests/cli/errors/` is rejected with exit 2, and what the user reads
//! is snapshotted: reviewing a message change means reviewing its snapshot diff.

use crate::harness::{Test, root};

#[test]
fn every_broken_manifest_is_explained() {
    let _guard = crate::harness::snapshot_guard();
    insta::glob!("errors/*.yaml", |path| {
        let rel = path.strip_prefix(root()).expect("below the root");
        let run = Test::new().arg("validate").arg(rel).status(2).run();
        assert!(run.stdout.is_empty(), "problems go to stderr, not stdout");
        insta::assert_snapshot!(run.stderr);
    });
}

#[test]
fn every_broken_manifest_is_explained_as_json_too() {
    let _guard = crate::harness::snapshot_guard();
    insta::glob!("errors/*.yaml", |path| {
        let rel = path.strip_prefix(root()).expect("below the root");
        let run = Test::new().args(["validate", "--format", "json"]).arg(rel).status(2).run();
        let problems: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is JSON");
        let problems = problems.as_array().expect("a JSON array");
        assert!(!problems.is_empty());
        for p in problems {
            assert_eq!(p["file"], rel.display().to_string());
            assert!(p["message"].as_str().is_some_and(|m| !m.is_empty()), "{p}");
        }
    });
}

#[test]
fn a_missing_manifest_is_a_usage_error() {
    let _guard = crate::harness::snapshot_guard();
    let run = Test::new().args(["validate", "no-such.yaml"]).status(2).run();
    insta::assert_snapshot!(run.stderr, @r"
    error: cannot read the manifest no-such.yaml
      caused by: entity not found
    ");
}

#[test]
fn new_with_a_broken_manifest_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("svc");
    let bad = root().join("tests/cli/errors/many-problems.yaml");
    Test::new().arg("new").arg(&bad).args(["--stack", "axum", "--out"]).arg(&out).status(2).run();
    assert!(!out.exists(), "no output directory is left behind");
    assert_eq!(fs_err::read_dir(tmp.path()).unwrap().count(), 0, "no staging directory either");
}
