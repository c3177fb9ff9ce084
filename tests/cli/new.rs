//! `skaffold new`: the plan, overrides, and the rules that keep a user's files safe.

use crate::harness::{Test, root, tree};

fn payments() -> std::path::PathBuf {
    root().join("examples/payments.yaml")
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("svc");
    let run = Test::new().arg("new").arg(payments()).args(["--stack", "axum", "--dry-run", "--out"]).arg(&out).run();
    assert!(!out.exists());
    let last = run.stdout.lines().last().unwrap();
    assert!(last.contains("(dry run: nothing written)"), "{last}");
    assert!(run.stdout.lines().any(|l| l.starts_with("create") && l.ends_with(".skaffold/lock.json")), "{}", run.stdout);
}

#[test]
fn dry_run_json_is_machine_readable() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("svc");
    let run = Test::new().arg("new").arg(payments()).args(["--stack", "axum", "--dry-run", "--json", "--out"]).arg(&out).run();
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(plan["written"], false);
    assert_eq!(plan["stack"], "axum");
    let files = plan["files"].as_array().unwrap();
    assert!(files.iter().all(|f| f["status"] == "create" && f["sha256"].as_str().is_some_and(|s| s.len() == 64)));
    assert!(files.iter().any(|f| f["path"] == ".skaffold/manifest.yaml"));
}

#[test]
fn set_overrides_manifest_values_and_is_recorded_in_the_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("svc");
    Test::new()
        .arg("new")
        .arg(payments())
        .args(["--stack", "axum", "--set", "name=billing", "--set", "auth=none", "--out"])
        .arg(&out)
        .run();
    let lock: serde_json::Value = serde_json::from_str(&fs_err::read_to_string(out.join(".skaffold/lock.json")).unwrap()).unwrap();
    assert_eq!(lock["overrides"], serde_json::json!(["name=billing", "auth=none"]));
    let cargo = fs_err::read_to_string(out.join("Cargo.toml")).unwrap();
    assert!(cargo.contains("name = \"billing\""), "{cargo}");
}

#[test]
fn an_invalid_override_is_reported_like_a_manifest_problem() {
    let run = Test::new().arg("new").arg(payments()).args(["--stack", "axum", "--dry-run", "--set", "http.port=zero"]).status(2).run();
    assert!(run.stderr.contains("(a value given with --set)"), "{}", run.stderr);
    let run = Test::new().arg("new").arg(payments()).args(["--set", "novalue"]).status(2).run();
    assert!(run.stderr.starts_with("error: invalid --set"), "{}", run.stderr);
}

#[test]
fn a_non_empty_directory_needs_force_and_then_only_owned_files_change() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("svc");
    Test::new().arg("new").arg(payments()).args(["--stack", "axum", "--out"]).arg(&out).run();
    fs_err::write(out.join("NOTES.md"), "mine").unwrap();
    let readme = out.join("README.md");
    fs_err::write(&readme, "edited").unwrap();

    let run = Test::new().arg("new").arg(payments()).args(["--stack", "axum", "--out"]).arg(&out).status(1).run();
    assert!(run.stderr.contains("is not empty") && run.stderr.contains("--force"), "{}", run.stderr);
    assert_eq!(fs_err::read_to_string(&readme).unwrap(), "edited");

    Test::new().arg("new").arg(payments()).args(["--stack", "axum", "--force", "--out"]).arg(&out).run();
    assert_ne!(fs_err::read_to_string(&readme).unwrap(), "edited", "an owned file is restored");
    assert_eq!(fs_err::read_to_string(out.join("NOTES.md")).unwrap(), "mine", "a user's own file is kept");
}

#[test]
fn force_never_replaces_a_file_skaffold_did_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("svc");
    fs_err::create_dir_all(&out).unwrap();
    fs_err::write(out.join("Cargo.toml"), "[package]\nname = \"mine\"\n").unwrap();
    let run = Test::new().arg("new").arg(payments()).args(["--stack", "axum", "--force", "--out"]).arg(&out).status(1).run();
    assert!(run.stderr.contains("would replace Cargo.toml"), "{}", run.stderr);
    assert_eq!(tree(&out), ["Cargo.toml"], "nothing else was written");
}

#[test]
fn rendering_again_unchanged_is_a_no_op() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("svc");
    Test::new().arg("new").arg(payments()).args(["--stack", "axum", "--out"]).arg(&out).run();
    let run = Test::new().arg("new").arg(payments()).args(["--stack", "axum", "--dry-run", "--out"]).arg(&out).run();
    assert!(run.stdout.lines().filter(|l| !l.contains("dry run")).all(|l| l.starts_with("unchanged")), "{}", run.stdout);
}

#[test]
fn an_unknown_stack_lists_the_real_ones() {
    let _guard = crate::harness::snapshot_guard();
    let run = Test::new().arg("new").arg(payments()).args(["--stack", "axun", "--dry-run"]).status(2).run();
    insta::assert_snapshot!(run.stderr, @r"
    error: no templates for stack `axun`
      hint: did you mean `axum`?
    ");
}

#[test]
fn a_product_stack_without_templates_says_so() {
    let run = Test::new().arg("new").arg(payments()).args(["--stack", "aspnet", "--dry-run"]).status(2).run();
    assert!(run.stderr.starts_with("error: no templates for stack `aspnet`"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn an_output_path_through_a_symlink_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    fs_err::create_dir(&elsewhere).unwrap();
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let run = Test::new().arg("new").arg(payments()).args(["--stack", "axum", "--force", "--out"]).arg(&link).status(1).run();
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(fs_err::read_dir(&elsewhere).unwrap().count(), 0);
}
