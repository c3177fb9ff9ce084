#![allow(clippy::disallowed_methods)] // A build script has no fs-err and panics with the path anyway.
//! Records what `include_dir!` cannot: which template files are executable, and a digest of the
//! whole tree so that any template edit rebuilds the binary that embeds it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo")).join("templates");
    println!("cargo:rerun-if-changed=templates");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut executable = Vec::new();
    // FNV-1a over paths and contents: a change detector, not a security measure.
    let mut digest: u64 = 0xcbf2_9ce4_8422_2325;
    for path in &files {
        let rel = path.strip_prefix(&root).expect("below root").to_string_lossy().replace('\\', "/");
        let contents = std::fs::read(path).expect("template file is readable");
        for byte in rel.bytes().chain(contents) {
            digest = (digest ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
        if is_executable(path) {
            executable.push(rel);
        }
    }
    let mut out = String::from("/// Embedded template files that are executable.\npub(crate) const EXECUTABLE: &[&str] = &[\n");
    for rel in &executable {
        let _ = writeln!(out, "    {rel:?},");
    }
    let _ = writeln!(
        out,
        "];\n/// A digest of the embedded template tree.\n#[allow(dead_code)]\npub(crate) const TEMPLATE_DIGEST: u64 = {digest:#x};"
    );
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("set by cargo")).join("template_meta.rs");
    std::fs::write(dest, out).expect("OUT_DIR is writable");
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(_: &Path) -> bool {
    false
}
