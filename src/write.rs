//! Writing a rendered service to disk without ever leaving a half-written tree behind.
//!
//! Into a new or empty directory, everything is written to a staging directory beside it and
//! renamed into place in one step. Into a directory skaffold wrote before (`--force`), only files
//! listed in its `.skaffold/lock.json` may be replaced; any other file in the way is a conflict and
//! nothing is written. No path is ever followed through a symbolic link.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::render::RenderedFile;

pub const LOCK_PATH: &str = ".skaffold/lock.json";
pub const MANIFEST_PATH: &str = ".skaffold/manifest.yaml";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Create,
    Overwrite,
    Unchanged,
    /// A file skaffold did not write is in the way.
    Conflict,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Overwrite => "overwrite",
            Self::Unchanged => "unchanged",
            Self::Conflict => "conflict",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanEntry {
    pub path: String,
    pub bytes: usize,
    pub status: Status,
    pub sha256: String,
    #[serde(skip)]
    pub executable: bool,
}

/// What writing `files` into `target` would do.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub target: PathBuf,
    pub entries: Vec<PlanEntry>,
    /// Whether the target holds files already (writing then needs `--force`).
    pub target_in_use: bool,
}

impl Plan {
    pub fn conflicts(&self) -> impl Iterator<Item = &PlanEntry> {
        self.entries.iter().filter(|e| e.status == Status::Conflict)
    }

    /// Whether applying needs `--force`: the target holds files and some would change.
    pub fn needs_force(&self) -> bool {
        self.target_in_use && self.entries.iter().any(|e| e.status != Status::Unchanged)
    }
}

/// The record of a render, written to `.skaffold/lock.json`: the basis of a later diff or update.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lock {
    pub generator: String,
    pub stack: String,
    pub templates: String,
    pub manifest_sha256: String,
    pub overrides: Vec<String>,
    /// Every written file (except the lock itself) and the SHA-256 of its contents.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{} is not empty", .0.display())]
    NotEmpty(PathBuf),
    #[error("{} files in {} were not written by skaffold and would be replaced", .count, .target.display())]
    Conflicts { target: PathBuf, count: usize, paths: Vec<String> },
    #[error("refusing to write through the symbolic link {}", .0.display())]
    Symlink(PathBuf),
    #[error("{} exists and is not a directory", .0.display())]
    NotADirectory(PathBuf),
    #[error(transparent)]
    Io(#[from] io::Error),
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Adds `.skaffold/manifest.yaml` and `.skaffold/lock.json` to the rendered files.
pub fn with_lock(
    mut files: Vec<RenderedFile>,
    manifest_text: &str,
    stack: &str,
    templates: &str,
    overrides: &[String],
) -> Vec<RenderedFile> {
    files.push(RenderedFile::new(MANIFEST_PATH, manifest_text.replace("\r\n", "\n").into_bytes(), false));
    let lock = Lock {
        generator: format!("skaffold {}", env!("CARGO_PKG_VERSION")),
        stack: stack.to_owned(),
        templates: templates.to_owned(),
        manifest_sha256: sha256_hex(manifest_text.as_bytes()),
        overrides: overrides.to_vec(),
        files: files.iter().map(|f| (f.path.clone(), f.sha256.clone())).collect(),
    };
    let mut text = serde_json::to_string_pretty(&lock).unwrap_or_default();
    text.push('\n');
    files.push(RenderedFile::new(LOCK_PATH, text.into_bytes(), false));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Classifies each file against what is in `target` now. Reads, never writes.
pub fn plan(target: &Path, files: &[RenderedFile]) -> Result<Plan, WriteError> {
    let in_use = match fs_err::symlink_metadata(target) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(WriteError::Symlink(target.to_owned())),
        Ok(meta) if !meta.is_dir() => return Err(WriteError::NotADirectory(target.to_owned())),
        Ok(_) => fs_err::read_dir(target)?.next().is_some(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(e) => return Err(e.into()),
    };
    let owned = if in_use { read_lock(target).map(|l| l.files).unwrap_or_default() } else { BTreeMap::new() };
    let mut entries = Vec::with_capacity(files.len());
    for file in files {
        let status = if in_use { classify(target, file, &owned)? } else { Status::Create };
        entries.push(PlanEntry {
            path: file.path.clone(),
            bytes: file.contents.len(),
            status,
            sha256: file.sha256.clone(),
            executable: file.executable,
        });
    }
    Ok(Plan { target: target.to_owned(), entries, target_in_use: in_use })
}

fn classify(target: &Path, file: &RenderedFile, owned: &BTreeMap<String, String>) -> Result<Status, WriteError> {
    let path = target.join(&file.path);
    if let Some(link) = symlink_on_the_way(target, &file.path)? {
        return Err(WriteError::Symlink(link));
    }
    match fs_err::symlink_metadata(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Status::Create),
        Err(e) => Err(e.into()),
        Ok(meta) if !meta.is_file() => Ok(Status::Conflict),
        Ok(_) => {
            let current = fs_err::read(&path)?;
            if current == file.contents {
                Ok(Status::Unchanged)
            } else if owned.contains_key(&file.path) || file.path == LOCK_PATH {
                Ok(Status::Overwrite)
            } else {
                Ok(Status::Conflict)
            }
        }
    }
}

/// The first symbolic link among the components of `rel` below `root` (including the file itself).
fn symlink_on_the_way(root: &Path, rel: &str) -> Result<Option<PathBuf>, WriteError> {
    let mut path = root.to_owned();
    for part in rel.split('/') {
        path.push(part);
        match fs_err::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => return Ok(Some(path)),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(None)
}

fn read_lock(target: &Path) -> Option<Lock> {
    let text = fs_err::read_to_string(target.join(LOCK_PATH)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes `files` as `plan` says. `force` allows writing into a directory in use.
pub fn apply(plan: &Plan, files: &[RenderedFile], force: bool) -> Result<(), WriteError> {
    let conflicts: Vec<String> = plan.conflicts().map(|e| e.path.clone()).collect();
    if !conflicts.is_empty() {
        return Err(WriteError::Conflicts { target: plan.target.clone(), count: conflicts.len(), paths: conflicts });
    }
    if plan.target_in_use && !plan.needs_force() {
        return Ok(());
    }
    if plan.target_in_use {
        if !force {
            return Err(WriteError::NotEmpty(plan.target.clone()));
        }
        return replace_in_place(plan, files);
    }
    write_fresh(&plan.target, files)
}

/// A new tree: stage beside the target, then one rename.
fn write_fresh(target: &Path, files: &[RenderedFile]) -> Result<(), WriteError> {
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let (anchor, missing) = existing_ancestor(parent);
    let staging = tempfile::Builder::new().prefix(".skaffold-staging-").tempdir_in(&anchor)?;
    for file in files {
        write_file(&staging.path().join(&file.path), file)?;
    }
    for dir in missing.iter().rev() {
        fs_err::create_dir(dir)?;
    }
    if target.exists() {
        // An empty directory: replace it with the staged tree.
        fs_err::remove_dir(target)?;
    }
    let staged = staging.keep();
    if let Err(e) = fs_err::rename(&staged, target) {
        let _ = fs_err::remove_dir_all(&staged);
        for dir in &missing {
            let _ = fs_err::remove_dir(dir);
        }
        return Err(e.into());
    }
    Ok(())
}

/// The nearest existing directory at or above `dir`, and the missing ones from `dir` upwards.
fn existing_ancestor(dir: &Path) -> (PathBuf, Vec<PathBuf>) {
    let mut missing = Vec::new();
    let mut current = if dir.is_absolute() { dir.to_owned() } else { Path::new(".").join(dir) };
    while !current.exists() {
        missing.push(current.clone());
        if !current.pop() {
            break;
        }
    }
    (current, missing)
}

/// An existing tree: stage every changed file inside it, then rename each into place.
fn replace_in_place(plan: &Plan, files: &[RenderedFile]) -> Result<(), WriteError> {
    let staging = tempfile::Builder::new().prefix(".skaffold-staging-").tempdir_in(&plan.target)?;
    let changed: Vec<(&RenderedFile, PathBuf)> = files
        .iter()
        .zip(&plan.entries)
        .filter(|(_, e)| matches!(e.status, Status::Create | Status::Overwrite))
        .enumerate()
        .map(|(i, (f, _))| (f, staging.path().join(i.to_string())))
        .collect();
    for (file, staged) in &changed {
        write_file(staged, file)?;
    }
    for (file, staged) in &changed {
        if let Some(link) = symlink_on_the_way(&plan.target, &file.path)? {
            return Err(WriteError::Symlink(link));
        }
        let dest = plan.target.join(&file.path);
        if let Some(parent) = dest.parent() {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::rename(staged, &dest)?;
    }
    Ok(())
}

fn write_file(path: &Path, file: &RenderedFile) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs_err::create_dir_all(parent)?;
    }
    fs_err::write(path, &file.contents)?;
    set_executable(path, file.executable)
}

/// Sets the mode explicitly (0755 or 0644) so the result does not depend on the umask.
#[cfg(unix)]
pub fn set_executable(path: &Path, executable: bool) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = if executable { 0o755 } else { 0o644 };
    fs_err::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
pub fn set_executable(_: &Path, _: bool) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, text: &str) -> RenderedFile {
        RenderedFile::new(path, text.as_bytes().to_vec(), path.ends_with(".sh"))
    }

    fn files(v: &str) -> Vec<RenderedFile> {
        with_lock(vec![file("a.txt", v), file("bin/run.sh", "#!/bin/sh\n")], "skaffold: 1\n", "test", "embedded", &[])
    }

    #[test]
    fn writes_a_fresh_tree_with_modes_and_lock() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("deep/out");
        let rendered = files("one");
        let plan = plan(&target, &rendered).unwrap();
        assert!(plan.entries.iter().all(|e| e.status == Status::Create));
        apply(&plan, &rendered, false).unwrap();
        assert_eq!(fs_err::read_to_string(target.join("a.txt")).unwrap(), "one");
        let lock: Lock = serde_json::from_str(&fs_err::read_to_string(target.join(LOCK_PATH)).unwrap()).unwrap();
        assert_eq!(lock.files.len(), 3, "a.txt, run.sh and the manifest copy");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs_err::metadata(target.join("bin/run.sh")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o755);
        }
        let leftovers: Vec<_> = fs_err::read_dir(tmp.path().join("deep")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(leftovers, ["out"], "no staging directory is left behind");
    }

    #[test]
    fn force_replaces_only_owned_files() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("out");
        let first = files("one");
        apply(&plan(&target, &first).unwrap(), &first, false).unwrap();

        let second = files("two");
        let p = plan(&target, &second).unwrap();
        let status = |path: &str| p.entries.iter().find(|e| e.path == path).unwrap().status;
        assert_eq!((status("a.txt"), status("bin/run.sh"), status(LOCK_PATH)), (Status::Overwrite, Status::Unchanged, Status::Overwrite));
        assert!(matches!(apply(&p, &second, false), Err(WriteError::NotEmpty(_))));
        apply(&p, &second, true).unwrap();
        assert_eq!(fs_err::read_to_string(target.join("a.txt")).unwrap(), "two");

        // A file the user wrote where skaffold now wants one is a conflict, and nothing is written.
        fs_err::write(target.join("user.txt"), "mine").unwrap();
        let mut third = files("three");
        third.push(file("user.txt", "generated"));
        let p = plan(&target, &third).unwrap();
        assert!(matches!(apply(&p, &third, true), Err(WriteError::Conflicts { count: 1, .. })));
        assert_eq!(fs_err::read_to_string(target.join("a.txt")).unwrap(), "two");
        assert_eq!(fs_err::read_to_string(target.join("user.txt")).unwrap(), "mine");
    }

    #[cfg(unix)]
    #[test]
    fn never_writes_through_symlinks() {
        let tmp = tempfile::tempdir().unwrap();
        let outside = tmp.path().join("outside");
        fs_err::create_dir(&outside).unwrap();
        let target = tmp.path().join("out");
        fs_err::create_dir(&target).unwrap();
        std::os::unix::fs::symlink(&outside, target.join("bin")).unwrap();
        let rendered = files("one");
        assert!(matches!(plan(&target, &rendered), Err(WriteError::Symlink(_))));
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        assert!(matches!(plan(&link, &rendered), Err(WriteError::Symlink(_))));
        assert_eq!(fs_err::read_dir(&outside).unwrap().count(), 0);
    }
}
