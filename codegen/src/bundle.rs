//! Stage 1b: a document split across files becomes one document.
//!
//! Every `$ref` into another file (`../common/types.json#/definitions/Resource`, relative to the
//! file that holds it, JSON or YAML) is followed, transitively, each file read once; the node it
//! names is copied into the root document under a local name in the same section
//! (`definitions`, `parameters`, `responses`; in OpenAPI 3.0 the `components` maps), and the
//! `$ref` is rewritten to point there. The stages after this one see one document.
//!
//! Names: the root document's own names stay as they are; an imported node keeps its name when
//! it is free, else it is prefixed with its file's name in UpperCamel case (`TypesResource` for
//! `types.json`), then with its folders' too, then numbered: deterministic, and two different
//! nodes are never merged. The same node referred to twice is imported once.
//!
//! The generator never fetches from the network: a `$ref` to a URL is refused. Errors name the
//! file the problem is in and the pointer inside it; errors of later stages in an imported node
//! are mapped back to its file by [`Bundle::locate`].

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::{Error, Result, push_pointer};
use crate::upgrade::walk_refs;

/// One document made of several files.
#[derive(Debug, Clone)]
pub struct Bundle {
    /// The root document with every imported node in it.
    pub doc: Value,
    /// Every file read, the root first, each as a path relative to the root file's folder
    /// (`types.json`, `../../common/v5/types.json`): what the generated files' header lists.
    pub inputs: Vec<PathBuf>,
    /// Every file read, as opened (the root file's path joined with the relative one): what a
    /// build script watches.
    pub files: Vec<PathBuf>,
    /// Where imported nodes came from: local pointer → (file, pointer in that file).
    origins: Vec<(String, PathBuf, String)>,
    root: PathBuf,
}

impl Bundle {
    /// An error of a later stage, moved to the file and pointer of the node it is in when that
    /// node was imported.
    pub fn locate(&self, mut error: Error) -> Error {
        if error.file != self.root {
            return error;
        }
        for (local, file, pointer) in &self.origins {
            if let Some(rest) = error.pointer.strip_prefix(local.as_str())
                && (rest.is_empty() || rest.starts_with('/'))
            {
                error.pointer = format!("{pointer}{rest}");
                error.file = file.clone();
                break;
            }
        }
        error
    }
}

/// The sections a `$ref` into another file may name, by document flavour: (section pointer of the
/// referenced file, section pointer in the root).
fn sections(swagger2: bool) -> &'static [&'static str] {
    if swagger2 {
        &["/definitions", "/parameters", "/responses"]
    } else {
        &[
            "/components/schemas",
            "/components/parameters",
            "/components/responses",
            "/components/requestBodies",
            "/components/headers",
            "/components/examples",
            "/components/links",
            "/components/callbacks",
            "/components/securitySchemes",
        ]
    }
}

/// Bundles the document `root` read from `file` with every file it refers to.
pub fn bundle(file: &Path, root: Value) -> Result<Bundle> {
    let swagger2 = crate::source_pointer::is_swagger2(&root);
    let mut cx = Bundler {
        root_file: file.to_path_buf(),
        root_dir: file.parent().map(Path::to_path_buf).unwrap_or_default(),
        swagger2,
        files: HashMap::new(),
        order: vec![PathBuf::from(file.file_name().unwrap_or_default())],
        imports: HashMap::new(),
        taken: HashMap::new(),
        additions: Vec::new(),
        origins: Vec::new(),
    };
    let root_rel = cx.order[0].clone();
    for section in sections(swagger2) {
        let names = root
            .pointer(section)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        cx.taken.insert(section, names);
    }
    let refs = collect_refs(&root, "");
    let mut doc = root;
    for (pointer, reference) in refs {
        if let Some(local) = cx.resolve(&root_rel, &reference, &pointer)?
            && let Some(node) = doc.pointer_mut(&pointer)
        {
            *node = Value::String(local);
        }
    }
    for (section, name, node) in std::mem::take(&mut cx.additions) {
        insert(&mut doc, section, name, node);
    }
    let files = cx
        .order
        .iter()
        .map(|rel| {
            if rel == &root_rel {
                file.to_path_buf()
            } else {
                cx.root_dir.join(rel)
            }
        })
        .collect();
    Ok(Bundle {
        doc,
        inputs: cx.order,
        files,
        origins: cx.origins,
        root: file.to_path_buf(),
    })
}

/// Every `$ref` in `value` (as the upgrade finds them: literal data and extensions skipped),
/// with the pointer of its `$ref` node.
fn collect_refs(value: &Value, base: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    walk_refs(value, base, false, &mut |reference, pointer| {
        out.push((pointer.to_string(), reference.to_string()));
        Ok(())
    })
    .expect("collecting does not fail");
    out
}

fn insert(doc: &mut Value, section: &str, name: String, node: Value) {
    let mut at = &mut *doc;
    for token in section.trim_start_matches('/').split('/') {
        let Value::Object(map) = at else {
            return;
        };
        at = map
            .entry(token.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if let Value::Object(map) = at {
        map.insert(name, node);
    }
}

struct Bundler {
    root_file: PathBuf,
    root_dir: PathBuf,
    swagger2: bool,
    /// Files read, by path relative to the root's folder.
    files: HashMap<PathBuf, Value>,
    /// The order they were read in, the root first.
    order: Vec<PathBuf>,
    /// (file, pointer) → the local `$ref` it was imported as.
    imports: HashMap<(PathBuf, String), String>,
    /// Names in use per section.
    taken: HashMap<&'static str, HashSet<String>>,
    /// Imported nodes to add: (section, name, node).
    additions: Vec<(&'static str, String, Value)>,
    origins: Vec<(String, PathBuf, String)>,
}

impl Bundler {
    /// The path of a file relative to the root's folder, as errors name it.
    fn display(&self, rel: &Path) -> PathBuf {
        if rel == self.order[0] {
            self.root_file.clone()
        } else {
            self.root_dir.join(rel)
        }
    }

    /// The local `$ref` that replaces `reference` (found in `from` at `pointer`), or `None` when
    /// it stays as it is (a local reference of the root document).
    fn resolve(&mut self, from: &Path, reference: &str, pointer: &str) -> Result<Option<String>> {
        let at = |message: String| Error::at(self.display(from), pointer, message);
        if reference.contains("://") || reference.starts_with("//") {
            return Err(at(format!(
                "$ref {reference:?} names a URL: the generator never fetches from the network; download the file and refer to it by a relative path"
            )));
        }
        let (path, fragment) = match reference.split_once('#') {
            Some((path, fragment)) => (path, fragment),
            None => (reference, ""),
        };
        let target = if path.is_empty() {
            from.to_path_buf()
        } else {
            let dir = from.parent().unwrap_or(Path::new(""));
            normalize(&dir.join(percent_decoded(path)))
        };
        if target == self.order[0] {
            // The root's own node: a local reference (rewritten when spelled with the file).
            let rewrite = from != self.order[0].as_path() || !path.is_empty();
            return Ok(rewrite.then(|| format!("#{fragment}")));
        }
        self.import(&target, fragment, from, pointer, &mut Vec::new())
            .map(Some)
    }

    /// Imports the node at `fragment` of `target` (reached from `from` at `pointer`); `chain`
    /// holds the aliases (nodes that are only a `$ref`) followed so far, to refuse a cycle of them.
    fn import(
        &mut self,
        target: &Path,
        fragment: &str,
        from: &Path,
        pointer: &str,
        chain: &mut Vec<String>,
    ) -> Result<String> {
        let at = |this: &Self, message: String| Error::at(this.display(from), pointer, message);
        let decoded = percent_decoded(fragment);
        let key = (target.to_path_buf(), decoded.clone());
        if let Some(local) = self.imports.get(&key) {
            return Ok(local.clone());
        }
        let shown = format!("{}#{decoded}", self.display(target).display());
        if chain.contains(&shown) {
            chain.push(shown);
            return Err(at(
                self,
                format!(
                    "$ref cycle across files: {} never reaches a definition",
                    chain.join(" -> ")
                ),
            ));
        }
        self.read(target, from, pointer)?;
        let sections = sections(self.swagger2);
        let (section, name) = match sections.iter().find_map(|s| {
            let name = decoded.strip_prefix(s)?.strip_prefix('/')?;
            (!name.contains('/')).then_some((*s, name))
        }) {
            Some((section, name)) => (section, unescape(name)),
            None if decoded.is_empty() => (sections[0], file_stem_name(target)),
            None => {
                return Err(at(
                    self,
                    format!(
                        "$ref into {}: only a whole file or an entry of {} can be referred to in another file, not {decoded:?}",
                        self.display(target).display(),
                        sections.join(", ")
                    ),
                ));
            }
        };
        let node = match self.files[target].pointer(&decoded) {
            Some(node) => node.clone(),
            None => {
                return Err(at(
                    self,
                    format!(
                        "{} has no node at {decoded:?}",
                        self.display(target).display()
                    ),
                ));
            }
        };
        // A node that is only a `$ref` is an alias: follow it, so a cycle of aliases is refused
        // (a schema that reaches itself through its properties is fine: it is imported once).
        if let Some(Value::String(next)) = node.get("$ref")
            && node.as_object().is_some_and(|o| o.len() == 1)
        {
            chain.push(shown);
            let (next_path, next_fragment) = next.split_once('#').unwrap_or((next, ""));
            let next_target = if next_path.is_empty() {
                target.to_path_buf()
            } else {
                let dir = target.parent().unwrap_or(Path::new(""));
                normalize(&dir.join(percent_decoded(next_path)))
            };
            if next.contains("://") {
                return Err(Error::at(
                    self.display(target),
                    push_pointer(&decoded, "$ref"),
                    format!(
                        "$ref {next:?} names a URL: the generator never fetches from the network"
                    ),
                ));
            }
            if next_target != self.order[0] {
                let alias_pointer = push_pointer(&decoded, "$ref");
                let local =
                    self.import(&next_target, next_fragment, target, &alias_pointer, chain)?;
                self.imports.insert(key, local.clone());
                return Ok(local);
            }
        }
        let local_name = self.free_name(section, &name, target);
        let local_ref = format!("#{}", push_pointer(section, &local_name));
        self.imports.insert(key, local_ref.clone());
        self.origins.push((
            push_pointer(section, &local_name),
            self.display(target),
            decoded.clone(),
        ));
        let mut node = node;
        for (ref_pointer, reference) in collect_refs(&node, "") {
            let in_file = format!("{decoded}{ref_pointer}");
            // From another file than the root, every reference resolves to a local one.
            if let Some(local) = self.resolve(target, &reference, &in_file)?
                && let Some(slot) = node.pointer_mut(&ref_pointer)
            {
                *slot = Value::String(local);
            }
        }
        self.additions.push((section, local_name, node));
        Ok(local_ref)
    }

    /// Reads `target` once (relative to the root's folder).
    fn read(&mut self, target: &Path, from: &Path, pointer: &str) -> Result<()> {
        if self.files.contains_key(target) {
            return Ok(());
        }
        let path = self.root_dir.join(target);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::at(
                self.display(from),
                pointer,
                format!("cannot read {}, which this $ref names: {e}", path.display()),
            )
        })?;
        let value = crate::load::load_str(&path, &text)?;
        self.files.insert(target.to_path_buf(), value);
        self.order.push(target.to_path_buf());
        Ok(())
    }

    /// `name` if free in `section`; else prefixed with the file's name, then its folders' too,
    /// then numbered.
    fn free_name(&mut self, section: &'static str, name: &str, file: &Path) -> String {
        let taken = self.taken.entry(section).or_default();
        let mut prefixes = Vec::new();
        let mut prefix = String::new();
        let parts: Vec<String> = file
            .with_extension("")
            .components()
            .filter_map(|c| match c {
                Component::Normal(s) => Some(upper_camel(&s.to_string_lossy())),
                _ => None,
            })
            .collect();
        for part in parts.iter().rev() {
            prefix = format!("{part}{prefix}");
            prefixes.push(format!("{prefix}{name}"));
        }
        let choice = std::iter::once(name.to_string())
            .chain(prefixes)
            .find(|candidate| !taken.contains(candidate))
            .unwrap_or_else(|| {
                (2..)
                    .map(|n| format!("{name}{n}"))
                    .find(|candidate| !taken.contains(candidate))
                    .expect("some number is free")
            });
        taken.insert(choice.clone());
        choice
    }
}

/// `a/./b/../c` → `a/c`, lexically (no file system: symlinks are not resolved, so the paths in
/// errors and headers stay as the references spell them); leading `..` are kept.
fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    out.iter().collect()
}

fn percent_decoded(text: &str) -> String {
    crate::upgrade::percent_decode(text).unwrap_or_else(|| text.to_string())
}

/// An RFC 6901 token unescaped.
fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn file_stem_name(file: &Path) -> String {
    upper_camel(&file.file_stem().unwrap_or_default().to_string_lossy())
}

/// `resource-types` → `ResourceTypes`; `v5` → `V5`.
fn upper_camel(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            let first = chars.next().expect("non-empty").to_ascii_uppercase();
            std::iter::once(first).chain(chars).collect::<String>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_lexically() {
        assert_eq!(
            normalize(Path::new("a/./b/../c.json")),
            PathBuf::from("a/c.json")
        );
        assert_eq!(
            normalize(Path::new("../../common/./x.json")),
            PathBuf::from("../../common/x.json")
        );
        assert_eq!(
            normalize(Path::new("a/../../b.json")),
            PathBuf::from("../b.json")
        );
    }

    #[test]
    fn names_are_kept_then_prefixed_by_file_then_folders_then_numbered() {
        let mut b = Bundler {
            root_file: PathBuf::from("spec/root.json"),
            root_dir: PathBuf::from("spec"),
            swagger2: true,
            files: HashMap::new(),
            order: vec![PathBuf::from("root.json")],
            imports: HashMap::new(),
            taken: HashMap::from([("/definitions", HashSet::from(["Resource".to_string()]))]),
            additions: Vec::new(),
            origins: Vec::new(),
        };
        let file = Path::new("../common/v5/types.json");
        assert_eq!(b.free_name("/definitions", "Error", file), "Error");
        assert_eq!(
            b.free_name("/definitions", "Resource", file),
            "TypesResource"
        );
        assert_eq!(
            b.free_name("/definitions", "Resource", file),
            "V5TypesResource"
        );
        assert_eq!(
            b.free_name("/definitions", "Resource", file),
            "CommonV5TypesResource"
        );
        assert_eq!(b.free_name("/definitions", "Resource", file), "Resource2");
        assert_eq!(upper_camel("resource-types_v2"), "ResourceTypesV2");
    }
}
