//! A JSON-lines audit file whose records are chained: each line carries the
//! hash of the previous one, so a changed, removed or reordered line is found
//! by [`verify_file`].
//!
//! Each line is a JSON object: `seq` (1, 2, ...), `prev` (the previous line's
//! `hash`, 64 zeros for the first), the record's fields, then `hash`:
//! lower-case hex HMAC-SHA256 over `prev`, a newline, and the line's text up to
//! (not including) `,"hash":`. With a key (recommended: keep it apart from the
//! log) an attacker who can edit the file cannot recompute the chain; without
//! one a fixed public key is used, which still detects accidental or careless
//! edits. Truncation of the newest lines cannot be detected by a chain alone:
//! ship lines off the host or record the last `seq` elsewhere.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::sync::Mutex;

use hmac::{KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::audit::{AuditRecord, AuditSink};
use crate::secret::SecretString;

type HmacSha256 = hmac::Hmac<Sha256>;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const PUBLIC_KEY: &[u8] = b"agent-runtime/audit-chain/v1/unkeyed";
const HASH_FIELD: &str = ",\"hash\":\"";

fn chain_hash(key: &[u8], prev: &str, body: &str) -> String {
    // HMAC accepts keys of any length; the error branch cannot happen.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(prev.as_bytes());
    mac.update(b"\n");
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

struct ChainState {
    file: File,
    prev: String,
    seq: u64,
}

/// Appends chained audit records to a file.
pub struct JsonLinesAuditSink {
    key: Option<SecretString>,
    state: Mutex<ChainState>,
}

impl std::fmt::Debug for JsonLinesAuditSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JsonLinesAuditSink")
            .field("keyed", &self.key.is_some())
            .finish_non_exhaustive()
    }
}

impl JsonLinesAuditSink {
    /// Opens (or creates) `path` for appending. An existing file is verified
    /// first and the chain continues from its last line; a broken file is an
    /// error rather than silently extended.
    pub fn open(path: impl AsRef<Path>, key: Option<SecretString>) -> Result<Self, ChainError> {
        let path = path.as_ref();
        let (prev, seq) = if path.exists() {
            let report = verify_file(path, key.as_ref())?;
            (report.last_hash, report.lines as u64)
        } else {
            (GENESIS.to_owned(), 0)
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| ChainError::io(0, &e))?;
        Ok(JsonLinesAuditSink {
            key,
            state: Mutex::new(ChainState { file, prev, seq }),
        })
    }

    fn key_bytes(&self) -> &[u8] {
        self.key
            .as_ref()
            .map_or(PUBLIC_KEY, |k| k.expose_secret().as_bytes())
    }
}

/// Builds the text of one line (without the newline).
fn line_for(key: &[u8], prev: &str, seq: u64, record: &Value) -> String {
    let mut obj = serde_json::Map::new();
    obj.insert("seq".into(), Value::from(seq));
    obj.insert("prev".into(), Value::String(prev.to_owned()));
    if let Value::Object(fields) = record {
        for (k, v) in fields {
            obj.insert(k.clone(), v.clone());
        }
    }
    let text = Value::Object(obj).to_string();
    // `text` ends with '}'; the hash covers everything before it.
    let body = &text[..text.len() - 1];
    let hash = chain_hash(key, prev, body);
    format!("{body}{HASH_FIELD}{hash}\"}}")
}

impl AuditSink for JsonLinesAuditSink {
    fn record(&self, record: &AuditRecord) {
        let key = self.key_bytes();
        let mut state = match self.state.lock() {
            Ok(s) => s,
            Err(poisoned) => poisoned.into_inner(),
        };
        let seq = state.seq + 1;
        let line = line_for(key, &state.prev, seq, &record.to_json());
        let hash_start = line.len() - 66;
        let hash = line[hash_start..line.len() - 2].to_owned();
        if writeln!(state.file, "{line}").is_ok() {
            state.prev = hash;
            state.seq = seq;
        } else {
            tracing::error!(target: "agent_runtime::audit", "audit file write failed");
        }
    }
}

/// What [`verify_file`] found in an intact file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Number of records.
    pub lines: usize,
    /// Hash of the last record (the chain's head).
    pub last_hash: String,
}

/// Where and how a chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainError {
    /// 1-based line number (0 when the file could not be read at all).
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

impl ChainError {
    fn at(line: usize, problem: &str) -> Self {
        ChainError {
            line,
            problem: problem.to_owned(),
        }
    }
    fn io(line: usize, e: &std::io::Error) -> Self {
        ChainError {
            line,
            problem: format!("cannot read the file: {}", e.kind()),
        }
    }
}

impl std::fmt::Display for ChainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "audit chain broken at line {}: {}",
            self.line, self.problem
        )
    }
}

impl std::error::Error for ChainError {}

/// Verifies a chained audit file: every line's hash, sequence number and link
/// to the previous line.
pub fn verify_file(
    path: impl AsRef<Path>,
    key: Option<&SecretString>,
) -> Result<ChainReport, ChainError> {
    let file = File::open(path.as_ref()).map_err(|e| ChainError::io(0, &e))?;
    let key: &[u8] = key.map_or(PUBLIC_KEY, |k| k.expose_secret().as_bytes());
    let mut prev = GENESIS.to_owned();
    let mut count = 0usize;
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let n = i + 1;
        let line = line.map_err(|e| ChainError::io(n, &e))?;
        let Some(at) = line.rfind(HASH_FIELD) else {
            return Err(ChainError::at(n, "line has no hash"));
        };
        let body = &line[..at];
        let hash = line[at + HASH_FIELD.len()..].trim_end_matches("\"}");
        let fields: Value =
            serde_json::from_str(&line).map_err(|_| ChainError::at(n, "line is not JSON"))?;
        if fields.get("seq").and_then(Value::as_u64) != Some(n as u64) {
            return Err(ChainError::at(
                n,
                "sequence number out of order (a line was removed or moved)",
            ));
        }
        if fields.get("prev").and_then(Value::as_str) != Some(prev.as_str()) {
            return Err(ChainError::at(
                n,
                "link to the previous line does not match",
            ));
        }
        let expected = chain_hash(key, &prev, body);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            expected.as_bytes(),
            hash.as_bytes(),
        )) {
            return Err(ChainError::at(
                n,
                "hash does not match the line (it was changed)",
            ));
        }
        prev = hash.to_owned();
        count = n;
    }
    Ok(ChainReport {
        lines: count,
        last_hash: prev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditEvent;

    fn write_records(path: &Path, key: Option<&str>, n: usize) {
        let sink =
            JsonLinesAuditSink::open(path, key.map(|k| SecretString::new(k.into()))).unwrap();
        for i in 0..n {
            let mut r = AuditRecord::new(AuditEvent::ToolCall, "ok", format!("r{i}"));
            r.function = Some("transfer_funds".into());
            sink.record(&r);
        }
    }

    fn temp(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("agent-audit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_file(&dir);
        dir
    }

    fn lines(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn rewrite(path: &Path, lines: &[String]) {
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
    }

    #[test]
    fn intact_chain_verifies_and_reopening_continues_it() {
        let p = temp("intact");
        write_records(&p, Some("audit-key"), 3);
        write_records(&p, Some("audit-key"), 2);
        let key = SecretString::new("audit-key".into());
        assert_eq!(verify_file(&p, Some(&key)).unwrap().lines, 5);
        // The wrong key fails on the first line.
        let wrong = SecretString::new("other".into());
        assert_eq!(verify_file(&p, Some(&wrong)).unwrap_err().line, 1);
        let _ = std::fs::remove_file(&p);
    }

    #[test]
    fn modified_deleted_and_reordered_lines_are_detected() {
        let p = temp("tamper");
        write_records(&p, None, 4);
        let original = lines(&p);
        assert!(verify_file(&p, None).is_ok());

        let mut modified = original.clone();
        modified[1] = modified[1].replace("\"ok\"", "\"error\"");
        rewrite(&p, &modified);
        let e = verify_file(&p, None).unwrap_err();
        assert_eq!((e.line, e.problem.contains("changed")), (2, true), "{e}");

        let mut deleted = original.clone();
        deleted.remove(1);
        rewrite(&p, &deleted);
        assert_eq!(verify_file(&p, None).unwrap_err().line, 2);

        let mut reordered = original.clone();
        reordered.swap(1, 2);
        rewrite(&p, &reordered);
        assert_eq!(verify_file(&p, None).unwrap_err().line, 2);

        // Opening a broken file refuses to extend it.
        assert!(JsonLinesAuditSink::open(&p, None).is_err());
        let _ = std::fs::remove_file(&p);
    }
}
