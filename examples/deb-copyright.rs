//! Writes the Debian package's `copyright` file (DEP-5, machine-readable)
//! to stdout: the project's licence, then each crate compiled into the
//! programs (the normal dependencies of this build, for this machine's
//! platform, as `cargo metadata` resolves them) with its authors and its
//! licence, then the full text of each licence named (from
//! `dist/debian/licenses/`). `make deb` runs it, so the file follows
//! `Cargo.lock`; a licence with no text there is an error that names it.
//!
//! `cargo run --example deb-copyright > target/assets/copyright`

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, ExitCode};

use serde::Deserialize;

/// The project's own paragraph.
const OURS: &str = "Files: *\nCopyright: 2025-2026 dyndns developers\nLicense: MIT\n";

fn main() -> ExitCode {
    match run() {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("deb-copyright: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, String> {
    let host = host_triple()?;
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--filter-platform",
            &host,
        ])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let meta: Metadata =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata: {e}"))?;
    let crates = compiled_in(&meta);
    let mut text = String::from(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\
         Upstream-Name: dyndns\n\
         Upstream-Contact: dyndns developers <dyndns@example.invalid>\n\
         Comment: The programs are statically linked with the Rust crates below,\n \
         from crates.io, each under its own licence; the Files paragraphs name\n \
         them as cargo-registry/NAME-VERSION.\n\n",
    );
    text.push_str(OURS);
    let mut names = BTreeSet::from(["MIT".to_owned()]);
    for krate in crates.values() {
        let spdx = krate.license.as_deref().unwrap_or_default();
        let license = dep5_license(spdx).ok_or_else(|| {
            format!(
                "{} {}: cannot read its licence {:?}",
                krate.name, krate.version, krate.license
            )
        })?;
        names.extend(short_names(&license));
        let authors = if krate.authors.is_empty() {
            format!("the {} developers", krate.name)
        } else {
            krate.authors.join("\n ")
        };
        let _ = write!(
            text,
            "\nFiles: cargo-registry/{}-{}/*\nCopyright: {authors}\nLicense: {license}\n",
            krate.name, krate.version
        );
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("dist/debian/licenses");
    for name in names {
        let body = std::fs::read_to_string(dir.join(&name)).map_err(|e| {
            format!("no text for licence {name} ({e}): add dist/debian/licenses/{name}")
        })?;
        let _ = write!(text, "\nLicense: {name}\n");
        for line in body.trim_end().lines() {
            let line = line.trim_end();
            if line.is_empty() {
                text.push_str(" .\n");
            } else {
                let _ = writeln!(text, " {line}");
            }
        }
    }
    Ok(text)
}

/// What this reads of `cargo metadata --format-version 1`.
#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
    resolve: Resolve,
}

/// A package: a crate compiled in, or this one.
#[derive(Deserialize)]
struct Package {
    id: String,
    name: String,
    version: String,
    license: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
}

/// The dependency graph, features and platform applied.
#[derive(Deserialize)]
struct Resolve {
    root: String,
    nodes: Vec<Node>,
}

#[derive(Deserialize)]
struct Node {
    id: String,
    deps: Vec<Dep>,
}

#[derive(Deserialize)]
struct Dep {
    pkg: String,
    dep_kinds: Vec<DepKind>,
}

/// `kind`: `null` for a normal dependency, `"build"` or `"dev"`.
#[derive(Deserialize)]
struct DepKind {
    kind: Option<String>,
}

/// The packages this one's normal dependencies reach, transitively, by name
/// and version (build scripts' and tests' dependencies are not compiled in).
fn compiled_in(meta: &Metadata) -> BTreeMap<(&str, &str), &Package> {
    let nodes: BTreeMap<&str, &Node> = meta
        .resolve
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n))
        .collect();
    let mut seen = BTreeSet::new();
    let mut todo = vec![meta.resolve.root.as_str()];
    while let Some(id) = todo.pop() {
        let Some(node) = nodes.get(id) else { continue };
        for dep in &node.deps {
            let normal = dep.dep_kinds.iter().any(|k| k.kind.is_none());
            if normal && seen.insert(dep.pkg.as_str()) {
                todo.push(&dep.pkg);
            }
        }
    }
    meta.packages
        .iter()
        .filter(|p| seen.contains(p.id.as_str()))
        .map(|p| ((p.name.as_str(), p.version.as_str()), p))
        .collect()
}

/// An SPDX expression in DEP-5's syntax (§7.2): `or` and `and`, and a
/// comma before the `and` of a parenthesised `or` (`MIT or Apache-2.0,
/// and Unicode-3.0`); `None` for one it cannot write.
fn dep5_license(spdx: &str) -> Option<String> {
    let words = |s: &str| {
        s.replace(" WITH LLVM-exception", "-with-LLVM-exception")
            .replace('/', " OR ")
            .replace(" OR ", " or ")
            .replace(" AND ", " and ")
    };
    let spdx = spdx.trim();
    if spdx.is_empty() {
        return None;
    }
    if let Some(rest) = spdx.strip_prefix('(') {
        let (inner, after) = rest.split_once(')')?;
        let after = after.trim_start().strip_prefix("AND ")?;
        let out = format!("{}, and {}", words(inner), words(after));
        return (!out.contains('(')).then_some(out);
    }
    let out = words(spdx);
    (!out.contains('(') && !out.contains(')')).then_some(out)
}

/// The licence names an expression uses.
fn short_names(license: &str) -> Vec<String> {
    license
        .replace(", and ", " and ")
        .split(" or ")
        .flat_map(|s| s.split(" and "))
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// This machine's target triple, as rustc names it.
fn host_triple() -> Result<String, String> {
    let out = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run rustc -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .ok_or_else(|| "rustc -vV names no host".into())
}
