//! A small fluent harness around the `skaffold` binary:
//! `Test::new().args(["validate", "x.yaml"]).status(2).run()`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};

/// The repository root, where `examples/` and `templates/` live.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every example manifest, sorted by name.
pub fn example_manifests() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs_err::read_dir(root().join("examples"))
        .expect("examples/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    assert!(out.len() >= 3, "examples/ holds at least three manifests");
    out
}

/// The stacks with built-in templates, as `skaffold stacks` lists them.
pub fn embedded_stacks() -> Vec<String> {
    skaffold::templates::Source::Embedded.names().expect("embedded templates load")
}

pub struct Test {
    args: Vec<String>,
    expected_status: i32,
}

/// What a finished run printed, with the temporary directory's path replaced by `[TMP]`.
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub output: Output,
}

impl Test {
    pub fn new() -> Self {
        Self { args: Vec::new(), expected_status: 0 }
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.args.push(arg.as_ref().to_string_lossy().into_owned());
        self
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Self {
        for a in args {
            self = self.arg(a);
        }
        self
    }

    /// The exit status the run must end with (0 unless said).
    pub fn status(mut self, code: i32) -> Self {
        self.expected_status = code;
        self
    }

    pub fn run(self) -> Run {
        let dir = root();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_skaffold"));
        cmd.args(&self.args).current_dir(&dir).env("NO_COLOR", "1").env("COLUMNS", "100");
        cmd.stdin(Stdio::null());
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let output = cmd.output().expect("the skaffold binary runs");
        let clean = |bytes: &[u8]| {
            let text = String::from_utf8_lossy(bytes).into_owned();
            text.replace(&dir.display().to_string(), "[DIR]")
        };
        let run = Run { stdout: clean(&output.stdout), stderr: clean(&output.stderr), output };
        assert_eq!(
            run.output.status.code(),
            Some(self.expected_status),
            "skaffold {:?} exited {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.args,
            run.output.status.code(),
            run.stdout,
            run.stderr
        );
        run
    }
}

/// Every file below `dir`, as sorted relative paths with `/` separators.
pub fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(d) = pending.pop() {
        for entry in fs_err::read_dir(&d).expect("readable dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                out.push(path.strip_prefix(dir).expect("below").to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

/// Held by every test that asserts snapshots. insta's `glob!` gathers failed assertions in
/// process-wide state while it runs, so a snapshot failing in a test on another thread would be
/// counted against the glob test instead of its own; one at a time keeps each failure where it is.
pub fn snapshot_guard() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
