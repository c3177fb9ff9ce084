//! `skaffold stacks`, `completions` and `--help`.

use crate::harness::Test;

#[test]
fn stacks_lists_each_with_a_description() {
    let run = Test::new().arg("stacks").run();
    for stack in crate::harness::embedded_stacks() {
        let line = run.stdout.lines().find(|l| l.starts_with(&stack)).unwrap_or_else(|| panic!("{stack} missing:\n{}", run.stdout));
        assert!(line.len() > stack.len() + 10, "{line}");
    }
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = Test::new().args(["completions", shell]).run();
        assert!(run.stdout.contains("skaffold"), "{shell}");
    }
}

#[test]
fn new_help_reads_like_a_man_page_with_an_example() {
    let run = Test::new().args(["new", "--help"]).run();
    assert!(run.stdout.contains("skaffold new payments.yaml --stack go"), "{}", run.stdout);
    assert!(run.stdout.contains("--dry-run"));
}
