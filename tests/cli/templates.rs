//! Forks: `templates export` writes a built-in stack out, `new --templates` renders from it, and a
//! fork is snapshot-tested the way the README tells template authors to: render into a committed
//! directory, render again with `--force`, and compare.

use crate::harness::{Test, root, tree};

#[test]
fn an_exported_fork_renders_exactly_like_the_embedded_stack() {
    let tmp = tempfile::tempdir().unwrap();
    let fork = tmp.path().join("fork");
    Test::new().args(["templates", "export", "axum"]).arg(fork.join("axum")).run();
    assert!(fork.join("axum/stack.toml").is_file());
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let manifest = root().join("examples/payments.yaml");
    Test::new().arg("new").arg(&manifest).args(["--stack", "axum", "--out"]).arg(&a).run();
    Test::new().arg("new").arg(&manifest).args(["--stack", "axum", "--templates"]).arg(&fork).arg("--out").arg(&b).run();
    let files = tree(&a);
    assert_eq!(files, tree(&b));
    for f in &files {
        if f != ".skaffold/lock.json" {
            assert_eq!(fs_err::read(a.join(f)).unwrap(), fs_err::read(b.join(f)).unwrap(), "{f}");
        }
    }
}

#[test]
fn a_fork_edit_shows_up_in_its_snapshot_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let fork = tmp.path().join("fork");
    Test::new().args(["templates", "export", "axum"]).arg(fork.join("axum")).run();
    let snapshot = tmp.path().join("snapshots/payments");
    let manifest = root().join("examples/payments.yaml");
    Test::new().arg("new").arg(&manifest).args(["--stack", "axum", "--templates"]).arg(&fork).arg("--out").arg(&snapshot).run();

    let readme = fork.join("axum/files/README.md.tera");
    let edited = fs_err::read_to_string(&readme).unwrap() + "\nOwned by the platform team.\n";
    fs_err::write(&readme, edited).unwrap();
    let run = Test::new()
        .arg("new")
        .arg(&manifest)
        .args(["--stack", "axum", "--dry-run", "--force", "--templates"])
        .arg(&fork)
        .arg("--out")
        .arg(&snapshot)
        .run();
    let changed: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("overwrite")).collect();
    assert_eq!(changed.len(), 2, "README.md and the lock change:\n{}", run.stdout);
    assert!(changed.iter().any(|l| l.ends_with(" README.md")), "{changed:?}");
}

#[test]
fn export_refuses_a_non_empty_directory() {
    let tmp = tempfile::tempdir().unwrap();
    fs_err::write(tmp.path().join("keep"), "").unwrap();
    let run = Test::new().args(["templates", "export", "axum"]).arg(tmp.path()).status(2).run();
    assert!(run.stderr.contains("is not empty"), "{}", run.stderr);
}
