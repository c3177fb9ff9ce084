//! `skaffold init`: a starter manifest that validates as written.

use crate::harness::Test;

#[test]
fn init_without_a_terminal_takes_flags_and_defaults() {
    let tmp = tempfile::tempdir().unwrap();
    let run = Test::new().args(["init", "--name", "orders", "--stack", "go", "--dir"]).arg(tmp.path()).run();
    assert!(run.stdout.contains("orders.skaffold.yaml"), "{}", run.stdout);
    let path = tmp.path().join("orders.skaffold.yaml");
    let text = fs_err::read_to_string(&path).unwrap();
    assert!(text.contains("name: orders") && text.contains("stack: go"), "{text}");
    Test::new().arg("validate").arg(&path).run();
}

#[test]
fn init_refuses_to_overwrite() {
    let tmp = tempfile::tempdir().unwrap();
    Test::new().args(["init", "--yes", "--name", "orders", "--dir"]).arg(tmp.path()).run();
    let run = Test::new().args(["init", "--yes", "--name", "orders", "--dir"]).arg(tmp.path()).status(1).run();
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
}

#[test]
fn init_rejects_a_bad_name_or_stack() {
    let tmp = tempfile::tempdir().unwrap();
    let run = Test::new().args(["init", "--yes", "--name", "Orders", "--dir"]).arg(tmp.path()).status(2).run();
    assert!(run.stderr.contains("invalid name `Orders`"), "{}", run.stderr);
    let run = Test::new().args(["init", "--yes", "--name", "orders", "--stack", "fastapy", "--dir"]).arg(tmp.path()).status(2).run();
    assert!(run.stderr.contains("did you mean `fastapi`?"), "{}", run.stderr);
    assert_eq!(fs_err::read_dir(tmp.path()).unwrap().count(), 0);
}
