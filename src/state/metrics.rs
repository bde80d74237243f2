//! The metrics of the last run, for Prometheus: a file in
//! node_exporter's textfile collector's directory, in the text exposition
//! format (0.0.4: `# HELP`, `# TYPE`, then `name{labels} value` lines),
//! rewritten at the end of every run. The counters and the times of the
//! last success and update are carried over from the file as it was, so
//! the file itself is the only state: removing it starts the counters
//! afresh, as Prometheus expects of a counter that resets.
//!
//! The new text goes to a temporary file beside it, renamed over it, so a
//! reader (or a run killed while writing) never sees half a file; the
//! collector reads only `*.prom`, and the temporary name ends otherwise.

use std::fmt::Write as _;
use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The most read of the previous file (ours is under 2 KiB).
const MAX_BYTES: u64 = 64 * 1024;

/// The name of the temporary files, beside the metrics file.
const TEMP_PREFIX: &str = ".dyndns-metrics.";

/// How a run ended, as the program that ended it knows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunEnd {
    /// The host's name (absolute), when known; else the previous file's.
    pub name: Option<String>,
    /// The exit status: 0 success, else the failure's.
    pub status: u8,
    /// The IPv6 and IPv4 addresses registered now, when known; else the
    /// previous file's.
    pub registered: Option<(usize, usize)>,
    /// The update this run sent and the server accepted, and how long it
    /// took to its answer.
    pub update: Option<Duration>,
}

/// Why the metrics file was not written. The run's own outcome stands:
/// this is only warned about.
#[derive(Debug, thiserror::Error)]
#[error("metrics file {path}: {source}")]
pub struct MetricsError {
    /// The file.
    pub path: PathBuf,
    /// Why.
    #[source]
    pub source: io::Error,
}

/// The values the file holds.
#[derive(Clone, Debug, Default, PartialEq)]
struct Values {
    name: String,
    last_run: u64,
    last_success: u64,
    last_update: u64,
    exit_status: u8,
    consecutive_failures: u64,
    ipv6: u64,
    ipv4: u64,
    update_secs: f64,
    updates: u64,
    failures: u64,
}

/// Each metric: its name, type and help text, in the file's order.
const METRICS: [(&str, &str, &str); 9] = [
    (
        "dyndns_last_run_timestamp_seconds",
        "gauge",
        "When the last run ended, seconds since the epoch.",
    ),
    (
        "dyndns_last_success_timestamp_seconds",
        "gauge",
        "When a run last ended in success (nothing to change, or the update accepted); 0: never.",
    ),
    (
        "dyndns_last_update_timestamp_seconds",
        "gauge",
        "When the primary last accepted an update of this host's; 0: never.",
    ),
    (
        "dyndns_last_run_exit_status",
        "gauge",
        "The last run's exit status: 0 success, 1 a failure at run time, 2 bad usage or config.",
    ),
    (
        "dyndns_consecutive_failures",
        "gauge",
        "How many runs in a row have failed.",
    ),
    (
        "dyndns_addresses_registered",
        "gauge",
        "The addresses registered at the last success, by family.",
    ),
    (
        "dyndns_update_duration_seconds",
        "gauge",
        "How long the last update took, from its sending to the primary's answer.",
    ),
    (
        "dyndns_updates_total",
        "counter",
        "Updates the primary accepted.",
    ),
    ("dyndns_failures_total", "counter", "Runs that failed."),
];

impl Values {
    /// What the previous file says; what it does not say (or a file that
    /// is not ours) counts from nothing.
    fn parse(text: &str) -> Self {
        let mut values = Self::default();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let Some((series, value)) = line.rsplit_once(' ') else {
                continue;
            };
            let (metric, labels) = series.split_once('{').unwrap_or((series, ""));
            if let Some(name) = label(labels, "name") {
                values.name = name;
            }
            let number = value
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v >= 0.0);
            let Some(number) = number else { continue };
            let whole = number as u64;
            match metric {
                "dyndns_last_run_timestamp_seconds" => values.last_run = whole,
                "dyndns_last_success_timestamp_seconds" => values.last_success = whole,
                "dyndns_last_update_timestamp_seconds" => values.last_update = whole,
                "dyndns_consecutive_failures" => values.consecutive_failures = whole,
                "dyndns_update_duration_seconds" => values.update_secs = number,
                "dyndns_updates_total" => values.updates = whole,
                "dyndns_failures_total" => values.failures = whole,
                "dyndns_addresses_registered" => match label(labels, "family").as_deref() {
                    Some("ipv6") => values.ipv6 = whole,
                    Some("ipv4") => values.ipv4 = whole,
                    _ => {}
                },
                _ => {}
            }
        }
        values
    }

    /// The values after `run`, ended at `now` (seconds since the epoch).
    fn after(mut self, run: &RunEnd, now: u64) -> Self {
        if let Some(name) = &run.name {
            self.name.clone_from(name);
        }
        self.last_run = now;
        self.exit_status = run.status;
        if run.status == 0 {
            self.last_success = now;
            self.consecutive_failures = 0;
            if let Some((ipv6, ipv4)) = run.registered {
                self.ipv6 = ipv6 as u64;
                self.ipv4 = ipv4 as u64;
            }
            if let Some(took) = run.update {
                self.last_update = now;
                self.update_secs = took.as_secs_f64();
                self.updates += 1;
            }
        } else {
            self.consecutive_failures += 1;
            self.failures += 1;
        }
        self
    }

    /// The file's text.
    fn render(&self) -> String {
        let name = format!("name=\"{}\"", escape(&self.name));
        let mut out = String::new();
        for (metric, kind, help) in METRICS {
            let _ = writeln!(out, "# HELP {metric} {help}");
            let _ = writeln!(out, "# TYPE {metric} {kind}");
            let mut sample = |labels: &str, value: String| {
                let _ = writeln!(out, "{metric}{{{labels}}} {value}");
            };
            match metric {
                "dyndns_last_run_timestamp_seconds" => sample(&name, self.last_run.to_string()),
                "dyndns_last_success_timestamp_seconds" => {
                    sample(&name, self.last_success.to_string());
                }
                "dyndns_last_update_timestamp_seconds" => {
                    sample(&name, self.last_update.to_string());
                }
                "dyndns_last_run_exit_status" => sample(&name, self.exit_status.to_string()),
                "dyndns_consecutive_failures" => {
                    sample(&name, self.consecutive_failures.to_string());
                }
                "dyndns_addresses_registered" => {
                    sample(&format!("{name},family=\"ipv6\""), self.ipv6.to_string());
                    sample(&format!("{name},family=\"ipv4\""), self.ipv4.to_string());
                }
                "dyndns_update_duration_seconds" => {
                    sample(&name, format!("{:.6}", self.update_secs))
                }
                "dyndns_updates_total" => sample(&name, self.updates.to_string()),
                _ => sample(&name, self.failures.to_string()),
            }
        }
        out
    }
}

/// A label's value in `labels` (`a="x",b="y"`, as [`Values::render`]
/// writes them).
fn label(labels: &str, key: &str) -> Option<String> {
    let start = labels.find(&format!("{key}=\""))? + key.len() + 2;
    let mut value = String::new();
    let mut chars = labels[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(value),
            '\\' => match chars.next()? {
                'n' => value.push('\n'),
                other => value.push(other),
            },
            c => value.push(c),
        }
    }
    None
}

/// A label value escaped as the text format asks: `\`, `"` and newlines.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Writes the metrics after `run` to `path`: the previous file read (no
/// symbolic link followed, no FIFO waited on, at most 64 KiB), its values
/// updated, the new text renamed over it. A path that is not a regular
/// file is refused, and the file left as it is.
pub fn record(path: &Path, run: &RunEnd) -> Result<(), MetricsError> {
    let fail = |source| MetricsError {
        path: path.to_owned(),
        source,
    };
    let previous = crate::util::fs::read_bounded(path, MAX_BYTES).map_err(fail)?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let values = Values::parse(previous.as_deref().unwrap_or_default()).after(run, now);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    remove_stale(dir);
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .tempfile_in(dir)
        .map_err(fail)?;
    tmp.write_all(values.render().as_bytes()).map_err(fail)?;
    // node_exporter runs as its own user: the file is world-readable (it
    // holds no secret), created so despite the umask.
    tmp.as_file()
        .set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Removes temporary files a killed run left in `dir`: ours, regular,
/// older than a minute.
fn remove_stale(dir: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let euid = rustix::process::geteuid().as_raw();
    for entry in entries.flatten() {
        if !entry
            .file_name()
            .as_encoded_bytes()
            .starts_with(TEMP_PREFIX.as_bytes())
        {
            continue;
        }
        let Ok(meta) = entry.metadata() else { continue };
        let stale = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(60));
        if meta.file_type().is_file() && meta.uid() == euid && stale {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_carry_over_and_failures_count_in_a_row() {
        let first = Values::default().after(
            &RunEnd {
                name: Some("host1.example.test.".into()),
                status: 0,
                registered: Some((2, 1)),
                update: Some(Duration::from_millis(4)),
            },
            1000,
        );
        let text = first.render();
        assert_eq!(Values::parse(&text), first);
        assert!(text.contains(
            "dyndns_addresses_registered{name=\"host1.example.test.\",family=\"ipv6\"} 2\n"
        ));
        assert!(text.contains("# TYPE dyndns_updates_total counter\n"));
        let failed = |v: Values, at| {
            v.after(
                &RunEnd {
                    status: 1,
                    ..RunEnd::default()
                },
                at,
            )
        };
        let twice = failed(failed(Values::parse(&text), 1060), 1120);
        assert_eq!(
            (twice.consecutive_failures, twice.failures, twice.updates),
            (2, 2, 1)
        );
        assert_eq!(
            (twice.last_success, twice.last_update, twice.last_run),
            (1000, 1000, 1120)
        );
        assert_eq!(twice.name, "host1.example.test.", "kept from the file");
        assert_eq!((twice.ipv6, twice.ipv4), (2, 1));
        let back = Values::parse(&twice.render()).after(&RunEnd::default(), 1180);
        assert_eq!((back.consecutive_failures, back.failures), (0, 2));
        assert_eq!(back.last_update, 1000, "no update: nothing sent");
    }

    #[test]
    fn labels_are_escaped_and_read_back() {
        let v = Values {
            name: "a\"b\\c".into(),
            ..Values::default()
        };
        assert_eq!(Values::parse(&v.render()).name, "a\"b\\c");
    }
}
