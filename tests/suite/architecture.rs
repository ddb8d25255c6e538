//! The shape of the source tree, checked on every test run: each crate's
//! module graph has no cycle, no source file grows past 1,000 lines, no file
//! reaches outside the repository, and the README's layout lists exactly the
//! modules that exist.
//!
//! The module graph is read from the source text: every `crate::a::...`
//! path in a file of top-level module `m` is an edge `m -> a`, and every
//! `super::b` or `crate::m::b` path in a file of `m::x` is an edge between the
//! siblings `x -> b`. Edges from a child to the module that declares it (its
//! `mod.rs`) are the normal shape of a Rust module and are not counted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const CRATES: [&str; 3] = ["agent-rules", "agent-macros", "agent-runtime"];
const MAX_LINES: usize = 1000;

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable source dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The module path of a source file: `lib.rs` is `[]`, `a/mod.rs` and
/// `a.rs` are `[a]`, `a/b.rs` is `[a, b]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("file under src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
        parts.pop();
    }
    parts
}

/// The identifiers following `prefix` (`crate::`, `super::`) in `text`,
/// including each name of a `prefix{a, b::c}` group.
fn paths_after(text: &str, prefix: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                out.push(segments(item.trim()));
            }
        } else {
            out.push(segments(rest));
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

fn segments(text: &str) -> Vec<String> {
    let mut segs = Vec::new();
    let mut rest = text;
    loop {
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        segs.push(rest[..end].to_owned());
        match rest[end..].strip_prefix("::") {
            Some(r) if !r.starts_with('{') => rest = r,
            _ => break,
        }
    }
    segs
}

/// Source text without comments (doc comments mention paths freely).
fn code_of(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A cycle in `graph`, if there is one.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, graph, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if !state.contains_key(node.as_str())
            && let Some(c) = visit(node, graph, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

/// Items a folder module's `mod.rs` re-exports from its children
/// (`pub use child::{A, B}` → `A: child`, `B: child`).
fn parent_reexports(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(dir.join("mod.rs")) else {
        return out;
    };
    let code = code_of(&text);
    for statement in code.split(';') {
        let statement = statement.trim();
        let Some(rest) = ["pub use ", "pub(crate) use ", "pub(super) use "]
            .iter()
            .find_map(|p| statement.strip_prefix(p))
        else {
            continue;
        };
        let Some((child, items)) = rest.split_once("::") else {
            continue;
        };
        let items = items.trim().trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let name = item.trim().rsplit(' ').next().unwrap_or("").trim();
            if !name.is_empty() {
                out.insert(name.to_owned(), child.trim().to_owned());
            }
        }
    }
    out
}

/// The top-level and sibling-level module graphs of one crate.
fn module_graphs(src: &Path) -> Vec<(String, BTreeMap<String, BTreeSet<String>>)> {
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut siblings: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for file in rust_files(src) {
        let module = module_path(src, &file);
        let Some(own_top) = module.first().cloned() else {
            continue; // lib.rs re-exports everything; it is the root, not a node
        };
        let code = code_of(&std::fs::read_to_string(&file).expect("readable"));
        top.entry(own_top.clone()).or_default();
        for path in paths_after(&code, "crate::") {
            if path[0] != own_top {
                top.entry(own_top.clone())
                    .or_default()
                    .insert(path[0].clone());
            } else if let (Some(from), Some(to)) = (module.get(1), path.get(1))
                && from != to
            {
                siblings
                    .entry(own_top.clone())
                    .or_default()
                    .entry(from.clone())
                    .or_default()
                    .insert(to.clone());
            }
        }
        // `super::x` from `top::from` names the sibling `top::x`, directly
        // or through a re-export of the parent (`pub use x::Item`).
        if module.len() == 2 {
            let reexports = parent_reexports(&src.join(&own_top));
            for path in paths_after(&code, "super::") {
                let target = reexports.get(&path[0]).cloned().unwrap_or(path[0].clone());
                if target != module[1] {
                    siblings
                        .entry(own_top.clone())
                        .or_default()
                        .entry(module[1].clone())
                        .or_default()
                        .insert(target);
                }
            }
        }
    }
    // Only names that are modules of this crate are nodes (`crate::Value`
    // re-exported at the root is not a module edge).
    let modules: BTreeSet<String> = top.keys().cloned().collect();
    for targets in top.values_mut() {
        targets.retain(|t| modules.contains(t));
    }
    let mut graphs = vec![("(top level)".to_owned(), top)];
    for (parent, mut graph) in siblings {
        let children: BTreeSet<String> = graph.keys().cloned().collect();
        for targets in graph.values_mut() {
            targets.retain(|t| {
                children.contains(t) || src.join(&parent).join(format!("{t}.rs")).exists()
            });
        }
        graphs.push((parent, graph));
    }
    graphs
}

#[test]
fn every_crate_has_an_acyclic_module_graph() {
    let mut problems = Vec::new();
    for krate in CRATES {
        let src = Path::new(ROOT).join(krate).join("src");
        for (scope, graph) in module_graphs(&src) {
            if let Some(cycle) = find_cycle(&graph) {
                problems.push(format!("{krate} {scope}: {}", cycle.join(" -> ")));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "module cycles:\n{}",
        problems.join("\n")
    );
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.into_iter().map(str::to_owned).collect()))
    .collect();
    assert_eq!(
        find_cycle(&graph),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(
        paths_after("use crate::{a::X, b};\nlet y = crate::c::f();", "crate::"),
        vec![
            vec!["a".to_owned(), "X".to_owned()],
            vec!["b".to_owned()],
            vec!["c".to_owned(), "f".to_owned()]
        ]
    );
}

#[test]
fn no_source_file_is_over_a_thousand_lines() {
    let mut long = Vec::new();
    for krate in CRATES {
        for file in rust_files(&Path::new(ROOT).join(krate).join("src")) {
            let lines = std::fs::read_to_string(&file)
                .expect("readable")
                .lines()
                .count();
            if lines > MAX_LINES {
                long.push(format!("{} ({lines} lines)", file.display()));
            }
        }
    }
    assert!(long.is_empty(), "split these files: {long:#?}");
}

/// Files that could name a path: Rust sources, scripts, manifests, docs.
fn repository_text_files() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(ROOT)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable dir") {
            let path = entry.expect("entry").path();
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
            if path.is_dir() {
                if !matches!(name.as_deref(), Some("target" | ".git")) {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| {
                ["rs", "toml", "md", "sh", "py", "lua"].contains(&e.to_string_lossy().as_ref())
            }) || name.as_deref() == Some("run")
            {
                out.push(path);
            }
        }
    }
    out
}

#[test]
fn nothing_reaches_outside_the_repository() {
    // Built so that this file does not match itself.
    let forbidden = [
        ["/wo", "rk/"].concat(),
        ["shared", "/spec"].concat(),
        ["../", "shared"].concat(),
        // Documents of the team that are not in the repository.
        ["DESIGN", ".md"].concat(),
        ["STYLE", ".md"].concat(),
        ["PROTOCOL", ".md"].concat(),
    ];
    let mut hits = Vec::new();
    for file in repository_text_files() {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            if forbidden.iter().any(|f| line.contains(f.as_str())) {
                hits.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        hits.is_empty(),
        "paths outside the repository:\n{}",
        hits.join("\n")
    );
}

#[test]
fn module_path_attributes_stay_inside_the_repository() {
    let root = std::fs::canonicalize(ROOT).expect("root");
    let marker = ["#[path", " = \""].concat();
    let mut problems = Vec::new();
    for file in repository_text_files()
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        for piece in text.split(marker.as_str()).skip(1) {
            let rel = &piece[..piece.find('"').unwrap_or(0)];
            let dir = file.parent().expect("a file has a directory");
            match std::fs::canonicalize(dir.join(rel)) {
                Ok(p) if p.starts_with(&root) => {}
                _ => problems.push(format!("{}: {rel}", file.display())),
            }
        }
    }
    assert!(problems.is_empty(), "missing or outside: {problems:#?}");
}

#[test]
fn files_named_relative_to_a_manifest_exist_inside_the_repository() {
    let root = std::fs::canonicalize(ROOT).expect("root");
    let marker = ["env!(\"CARGO_MANIFEST", "_DIR\"), \""].concat();
    let mut problems = Vec::new();
    for krate in ["", "agent-rules", "agent-macros", "agent-runtime"] {
        let dir = Path::new(ROOT).join(krate);
        for file in repository_text_files()
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "rs"))
            .filter(|f| f.starts_with(&dir))
            .filter(|f| {
                // A file belongs to the root package when it is in no crate.
                let in_a_crate = CRATES
                    .iter()
                    .any(|c| f.starts_with(Path::new(ROOT).join(c)));
                krate.is_empty() != in_a_crate
            })
        {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for piece in text.split(marker.as_str()).skip(1) {
                let rel = &piece[..piece.find('"').unwrap_or(0)];
                let target = dir.join(rel.trim_start_matches('/'));
                match std::fs::canonicalize(&target) {
                    Ok(p) if p.starts_with(&root) => {}
                    _ => problems.push(format!("{}: {rel}", file.display())),
                }
            }
        }
    }
    assert!(problems.is_empty(), "missing or outside: {problems:#?}");
}

/// The entries the README's Layout section lists under `<krate>/src/`, in
/// order (`security/` is `security`, `redact.rs` is `redact`).
fn readme_layout(krate: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README");
    let section = readme
        .split("## Layout")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a Layout section");
    let heading = format!("{krate}/src/");
    let mut lines = section.lines().skip_while(|l| !l.starts_with(&heading));
    lines.next();
    lines
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .map(|entry| {
            entry
                .trim_end_matches('/')
                .trim_end_matches(".rs")
                .to_owned()
        })
        .collect()
}

#[test]
fn the_readme_layout_lists_every_module_in_floor_order() {
    let mut problems = Vec::new();
    for krate in CRATES {
        let src = Path::new(ROOT).join(krate).join("src");
        let listed = readme_layout(krate);
        let actual: BTreeSet<String> = std::fs::read_dir(&src)
            .expect("src")
            .map(|e| {
                let name = e.expect("entry").file_name().to_string_lossy().into_owned();
                name.trim_end_matches(".rs").to_owned()
            })
            .collect();
        let listed_set: BTreeSet<String> = listed.iter().cloned().collect();
        for missing in actual.difference(&listed_set) {
            problems.push(format!(
                "{krate}: `{missing}` exists but the README does not list it"
            ));
        }
        for extra in listed_set.difference(&actual) {
            problems.push(format!(
                "{krate}: the README lists `{extra}`, which does not exist"
            ));
        }
        // Every edge of the top-level graph goes to a module listed earlier.
        let position = |m: &str| listed.iter().position(|l| l == m);
        let (_, top) = module_graphs(&src).swap_remove(0);
        for (from, targets) in &top {
            for to in targets {
                if let (Some(f), Some(t)) = (position(from), position(to))
                    && t > f
                {
                    problems.push(format!("{krate}: `{from}` uses `{to}`, listed after it"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
