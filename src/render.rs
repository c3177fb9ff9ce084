//! Rendering a stack's template tree with tera into files in memory.
//!
//! Conventions a template author relies on (documented in `templates/README.md`):
//! - a file ending in `.tera` is rendered and loses the suffix; any other file is copied as is, so
//!   files full of `{{ }}` (GitHub Actions, Helm) need no escaping;
//! - a rendered file that comes out empty (only whitespace) is not written: that is how a file is
//!   made conditional;
//! - `__resource__`, `__Resource__` and `__resources__` in a path render the file once per
//!   resource (snake_case, PascalCase, plural), with `resource` in the context;
//! - `__migration__` in a path renders the file once per SQL migration, with `migration` in the
//!   context;
//! - `partials/` holds macros and includes, reachable as `partials/<path>`.
//!
//! Templates see only the context (no environment, clock or randomness), so output is a pure
//! function of the manifest, the templates and the skaffold version.

use std::collections::BTreeMap;

use tera::{Context, Kwargs, State, Tera, TeraResult, Value};

use crate::artifacts::Artifacts;
use crate::artifacts::sql::Migration;
use crate::manifest::names::{camel_case, pascal_case, snake_case};
use crate::model::{Resource, Service};
use crate::templates::{Stack, TemplateFile};

const TEMPLATE_SUFFIX: &str = ".tera";

/// A file ready to be written: path relative to the output root, bytes, mode, and the SHA-256 of
/// the bytes (for the lock file and the plan, computed once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedFile {
    pub path: String,
    pub contents: Vec<u8>,
    pub executable: bool,
    pub sha256: String,
}

impl RenderedFile {
    pub fn new(path: impl Into<String>, contents: Vec<u8>, executable: bool) -> Self {
        let sha256 = crate::write::sha256_hex(&contents);
        Self { path: path.into(), contents, executable, sha256 }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {file} does not parse")]
    Parse { file: String, detail: String },
    #[error("template {file} failed to render")]
    Render { file: String, detail: String },
    #[error("template {file} renders to an unsafe path `{path}`: {reason}")]
    UnsafePath { file: String, path: String, reason: String },
    #[error("two templates render to the same path `{path}`")]
    Collision { path: String },
}

/// Renders every file of `stack` for `service`, with the stack-independent `artifacts` in the context.
pub fn render(stack: &Stack, service: &Service, artifacts: &Artifacts) -> Result<Vec<RenderedFile>, RenderError> {
    let tera = engine(stack)?;
    let base = base_context(stack, service, artifacts);
    let mut out: BTreeMap<String, RenderedFile> = BTreeMap::new();
    for file in &stack.files {
        for (path, item) in expand_path(&file.path, &service.resources, &artifacts.migrations) {
            let rendered = render_file(&tera, &base, file, path, item)?;
            let Some(rendered) = rendered else { continue };
            check_path(&rendered.path).map_err(|reason| RenderError::UnsafePath {
                file: file.path.clone(),
                path: rendered.path.clone(),
                reason,
            })?;
            if out.contains_key(&rendered.path) {
                return Err(RenderError::Collision { path: rendered.path });
            }
            out.insert(rendered.path.clone(), rendered);
        }
    }
    Ok(out.into_values().collect())
}

fn engine(stack: &Stack) -> Result<Tera, RenderError> {
    let mut tera = Tera::new();
    tera.autoescape_on(Vec::<&str>::new());
    register_filters(&mut tera);
    let templates = stack
        .partials
        .iter()
        .map(|p| (format!("partials/{}", p.path), p))
        .chain(stack.files.iter().filter(|f| f.path.ends_with(TEMPLATE_SUFFIX)).map(|f| (format!("files/{}", f.path), f)));
    let mut sources = Vec::new();
    for (name, file) in templates {
        let text =
            std::str::from_utf8(&file.contents).map_err(|_| RenderError::Parse { file: name.clone(), detail: "not UTF-8".into() })?;
        sources.push((name, normalize_newlines(text)));
    }
    // All at once: tera resolves includes and macros across the set after each call, so adding
    // templates one by one costs time quadratic in their number.
    if tera.add_raw_templates(sources.iter().map(|(n, t)| (n.as_str(), t.as_str()))).is_err() {
        // Only to name the template at fault: add them one by one until one fails.
        let mut tera = Tera::new();
        register_filters(&mut tera);
        for (name, text) in &sources {
            tera.add_raw_template(name, text).map_err(|e| RenderError::Parse { file: name.clone(), detail: error_chain(&e) })?;
        }
    }
    Ok(tera)
}

fn base_context(stack: &Stack, service: &Service, artifacts: &Artifacts) -> Context {
    let mut ctx = Context::new();
    ctx.insert("service", service);
    ctx.insert("stack", &serde_json::json!({ "name": stack.name, "language": stack.descriptor.language }));
    ctx.insert("artifacts", artifacts);
    ctx.insert("skaffold", &serde_json::json!({ "version": env!("CARGO_PKG_VERSION") }));
    ctx
}

/// What a template path is rendered once for: the whole service, one resource, or one migration.
#[derive(Debug, Clone, Copy)]
enum Item<'a> {
    Service,
    Resource(&'a Resource),
    Migration(&'a Migration),
}

/// The output paths of a template path: one, or one per resource when it names `__resource__`,
/// or one per migration when it names `__migration__`.
fn expand_path<'a>(path: &str, resources: &'a [Resource], migrations: &'a [Migration]) -> Vec<(String, Item<'a>)> {
    let path = path.strip_suffix(TEMPLATE_SUFFIX).unwrap_or(path);
    if path.contains("__migration__") {
        return migrations.iter().map(|m| (path.replace("__migration__", &m.name), Item::Migration(m))).collect();
    }
    if !["__resource__", "__Resource__", "__resources__"].iter().any(|p| path.contains(p)) {
        return vec![(path.to_owned(), Item::Service)];
    }
    resources
        .iter()
        .map(|r| {
            let expanded =
                path.replace("__resources__", &r.plural).replace("__resource__", &r.name).replace("__Resource__", &pascal_case(&r.name));
            (expanded, Item::Resource(r))
        })
        .collect()
}

fn render_file(
    tera: &Tera,
    base: &Context,
    file: &TemplateFile,
    path: String,
    item: Item<'_>,
) -> Result<Option<RenderedFile>, RenderError> {
    if !file.path.ends_with(TEMPLATE_SUFFIX) {
        let contents = match std::str::from_utf8(&file.contents) {
            Ok(text) if !text.contains('\0') => normalize_newlines(text).into_bytes(),
            _ => file.contents.to_vec(),
        };
        return Ok(Some(RenderedFile::new(path, contents, file.executable)));
    }
    let name = format!("files/{}", file.path);
    let text = match item {
        Item::Service => tera.render(&name, base),
        Item::Resource(r) => {
            let mut ctx = base.clone();
            ctx.insert("resource", r);
            tera.render(&name, &ctx)
        }
        Item::Migration(m) => {
            let mut ctx = base.clone();
            ctx.insert("migration", m);
            tera.render(&name, &ctx)
        }
    }
    .map_err(|e| RenderError::Render { file: path.clone(), detail: error_chain(&e) })?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    Ok(Some(RenderedFile::new(path, normalize_newlines(&text).into_bytes(), file.executable)))
}

fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n")
}

fn error_chain(e: &tera::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str("\n  ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// Refuses paths that could land outside the output directory or fail on some filesystem.
pub fn check_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("the path is empty".into());
    }
    if path.starts_with('/') || path.contains('\\') || path.get(1..3) == Some(":/") {
        return Err("absolute paths are not allowed".into());
    }
    for part in path.split('/') {
        match part {
            "" => return Err("empty path component".into()),
            "." | ".." => return Err("`.` and `..` are not allowed".into()),
            _ => {}
        }
        if part.chars().any(|c| c.is_control() || "<>:\"|?*".contains(c)) {
            return Err(format!("`{part}` has a character that Windows does not allow"));
        }
        if part.ends_with(['.', ' ']) {
            return Err(format!("`{part}` ends with a dot or space"));
        }
        let stem = part.split('.').next().unwrap_or(part).to_ascii_uppercase();
        let reserved = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
            || ((stem.starts_with("COM") || stem.starts_with("LPT")) && stem.len() == 4 && stem.as_bytes()[3].is_ascii_digit());
        if reserved {
            return Err(format!("`{part}` is a reserved device name on Windows"));
        }
    }
    Ok(())
}

fn register_filters(tera: &mut Tera) {
    tera.register_filter("snake", |s: &str, _: Kwargs, _: &State| snake_case(s));
    tera.register_filter("camel", |s: &str, _: Kwargs, _: &State| camel_case(&snake_case(s)));
    tera.register_filter("pascal", |s: &str, _: Kwargs, _: &State| pascal_case(s));
    tera.register_filter("kebab", |s: &str, _: Kwargs, _: &State| snake_case(s).replace('_', "-"));
    tera.register_filter("screaming", |s: &str, _: Kwargs, _: &State| snake_case(s).to_ascii_uppercase());
    tera.register_filter("json", json_filter);
    tera.register_filter("rust_str", |s: &str, _: Kwargs, _: &State| rust_string_literal(s));
}

/// `{{ value | json }}` compact, `{{ value | json(pretty=true) }}` indented by two spaces.
fn json_filter(value: &Value, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let pretty = kwargs.get::<bool>("pretty")?.unwrap_or(false);
    let json = serde_json::to_value(value).map_err(|e| tera::Error::message(e.to_string()))?;
    let text = if pretty { serde_json::to_string_pretty(&json) } else { serde_json::to_string(&json) };
    text.map_err(|e| tera::Error::message(e.to_string()))
}

/// A Rust string literal for any text.
pub fn rust_string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::templates::Descriptor;

    fn stack(files: &[(&str, &str)]) -> Stack {
        Stack {
            name: "test".into(),
            descriptor: Descriptor { description: "test".into(), language: "rust".into(), check: None },
            descriptor_text: String::new(),
            files: files
                .iter()
                .map(|(p, c)| TemplateFile { path: (*p).into(), contents: Cow::Owned(c.as_bytes().to_vec()), executable: false })
                .collect(),
            partials: Vec::new(),
        }
    }

    fn service() -> Service {
        let src = "skaffold: 1\nname: shop\nresources:\n  line_item:\n    fields:\n      sku: { type: string }\n  purchase:\n    fields:\n      note: { type: text }\n";
        crate::manifest::load(src, crate::manifest::CheckContext { src, stacks: &[] }).expect("valid")
    }

    fn render_one(files: &[(&str, &str)]) -> Result<Vec<RenderedFile>, RenderError> {
        let service = service();
        render(&stack(files), &service, &Artifacts::of(&service))
    }

    #[test]
    fn undefined_variables_are_errors() {
        let err = render_one(&[("a.txt.tera", "{{ service.nme }}")]).unwrap_err();
        assert!(matches!(err, RenderError::Render { .. }), "{err:?}");
    }

    #[test]
    fn literal_braces_survive_in_verbatim_files_and_raw_blocks() {
        let files = render_one(&[
            ("ci.yml", "run: echo ${{ github.sha }}\r\n"),
            ("helm.yaml.tera", "name: {{ service.name }}\nimage: {% raw %}{{ .Values.image }}{% endraw %}\n"),
        ])
        .unwrap();
        assert_eq!(files[0].path, "ci.yml");
        assert_eq!(String::from_utf8_lossy(&files[0].contents), "run: echo ${{ github.sha }}\n");
        assert_eq!(String::from_utf8_lossy(&files[1].contents), "name: shop\nimage: {{ .Values.image }}\n");
    }

    #[test]
    fn resource_paths_expand_and_empty_output_is_skipped() {
        let files = render_one(&[
            ("src/__resource__.rs.tera", "// {{ resource.plural | pascal }}\n"),
            ("src/__Resource__.cs.tera", "{{ resource.name | camel }}"),
            ("webhooks.rs.tera", "{% if service.webhooks %}hooks{% endif %}\n"),
        ])
        .unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["src/LineItem.cs", "src/Purchase.cs", "src/line_item.rs", "src/purchase.rs"]);
        assert_eq!(String::from_utf8_lossy(&files[2].contents), "// LineItems\n");
        assert_eq!(String::from_utf8_lossy(&files[0].contents), "lineItem");
    }

    #[test]
    fn binary_files_are_copied_byte_for_byte_and_keep_their_mode() {
        let bytes: &[u8] = &[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', 0, 0xff];
        let mut stack = stack(&[]);
        stack.files.push(TemplateFile { path: "logo.png".into(), contents: Cow::Owned(bytes.to_vec()), executable: false });
        stack.files.push(TemplateFile {
            path: "bin/run".into(),
            contents: Cow::Owned(b"#!/bin/sh\r\nexit 0\r\n".to_vec()),
            executable: true,
        });
        let service = service();
        let files = render(&stack, &service, &Artifacts::of(&service)).unwrap();
        assert_eq!(files[0].path, "bin/run");
        assert_eq!(files[0].contents, b"#!/bin/sh\nexit 0\n", "text gets LF line endings");
        assert!(files[0].executable);
        assert_eq!(files[1].contents, bytes, "a binary file is not touched");
        assert!(!files[1].executable);
    }

    #[test]
    fn migration_paths_expand_once_per_migration() {
        let files = render_one(&[("db/__migration__.sql.tera", "-- {{ migration.version }}\n{{ migration.sql | length > 0 }}\n")]).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["db/0001_platform.sql", "db/0002_resources.sql"]);
        assert_eq!(String::from_utf8_lossy(&files[1].contents), "-- 2\ntrue\n");
    }

    #[test]
    fn unsafe_rendered_paths_are_refused() {
        for bad in ["../x", "/etc/x", "a/../../x", "a//b", "CON.txt", "a\\b", "c:/x", "x."] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        let err = render_one(&[("{{ x }}", "")]);
        assert!(err.is_ok(), "a verbatim file named like a template is just a name");
    }

    #[test]
    fn templates_cannot_reach_the_clock_the_environment_randomness_or_other_files() {
        for source in ["{{ now() }}", "{{ get_env(name=\"HOME\") }}", "{{ get_random(end=5) }}", "{% include \"/etc/passwd\" %}"] {
            let result = render_one(&[("x.txt.tera", source)]);
            assert!(result.is_err(), "{source} rendered");
        }
    }

    #[test]
    fn case_filters() {
        assert_eq!(snake_case("LineItem"), "line_item");
        assert_eq!(snake_case("line-item"), "line_item");
        assert_eq!(pascal_case("line_item"), "LineItem");
        assert_eq!(rust_string_literal("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u{1}\"");
    }
}
