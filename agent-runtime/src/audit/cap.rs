//! Size caps on audit records, so that one oversized request cannot make the
//! audit trail grow by its size on every record (a 900 KB caller id copied
//! into each record of a call would otherwise cost 900 KB per record).
//!
//! Every string is measured as JSON text (without its quotes), so a string of
//! control characters, each escaped as six bytes, is measured at what it costs
//! in the line. A string over its cap keeps a prefix cut on a character
//! boundary and ends with a visible mark, `…[truncated N bytes]`, N being the
//! number of bytes of the original string left out; the result, mark
//! included, is within the cap.
//!
//! | What | Cap |
//! | --- | --- |
//! | `call_id`, `caller`, `function`, `reason`, `client` | [`MAX_FIELD_BYTES`] each |
//! | every string inside `arguments` | [`MAX_ARGUMENT_STRING_BYTES`] each |
//! | every object key inside `arguments` | [`MAX_FIELD_BYTES`] each |
//! | one whole line (log line or chained file line, newline included) | [`MAX_LINE_BYTES`]: when the line would be longer, `arguments` is replaced by the mark string |
//!
//! With five fields of at most 256 bytes, the fixed fields and the chain's
//! own (`seq`, `prev`, `hash`), a line without arguments stays well under
//! 2 KiB, so replacing the arguments always brings a line under the total cap.

use std::borrow::Cow;

use serde_json::Value;

use super::AuditRecord;

/// Cap of each identifying field of a record (`call_id`, `caller`,
/// `function`, `reason`, `client`) and of each object key inside the
/// arguments, in bytes of JSON text.
pub const MAX_FIELD_BYTES: usize = 256;

/// Cap of each string inside a record's `arguments`, in bytes of JSON text.
pub const MAX_ARGUMENT_STRING_BYTES: usize = 1024;

/// Cap of one audit line, newline included: the log line and the line of
/// the chained file. A record that would be longer has its `arguments`
/// replaced by a truncation mark.
pub const MAX_LINE_BYTES: usize = 8 * 1024;

/// Starts every truncation mark; the number of bytes left out follows.
pub const TRUNCATION_MARK_PREFIX: &str = "…[truncated ";

/// The mark that ends a cut string (or replaces cut arguments).
pub(crate) fn truncation_mark(removed: usize) -> String {
    format!("{TRUNCATION_MARK_PREFIX}{removed} bytes]")
}

/// Bytes a mark for up to `removed` bytes takes (the digits of `removed` are
/// an upper bound for every smaller count).
fn mark_len(removed: usize) -> usize {
    TRUNCATION_MARK_PREFIX.len() + removed.to_string().len() + " bytes]".len()
}

/// The bytes one byte of a string takes inside a JSON string, as serde_json
/// writes it: quote and backslash are escaped with a backslash, control
/// characters as `\n`-style or `\u00XX` escapes, everything else (including
/// each byte of a multi-byte character) as itself.
fn escaped_len(byte: u8) -> usize {
    match byte {
        b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
        0x00..=0x1f => 6,
        _ => 1,
    }
}

/// The length of `s` as JSON text, without the quotes.
fn json_len(s: &str) -> usize {
    s.bytes().map(escaped_len).sum()
}

/// Whether `s` is over `cap` as JSON text. Most strings are answered from
/// their length alone: no byte takes less than one byte of JSON, nor more
/// than six.
fn over(s: &str, cap: usize) -> bool {
    s.len() > cap || (s.len() > cap / 6 && json_len(s) > cap)
}

/// `s` cut to at most `cap` bytes of JSON text, mark included.
pub(crate) fn cap_str(s: &str, cap: usize) -> Cow<'_, str> {
    if !over(s, cap) {
        return Cow::Borrowed(s);
    }
    let budget = cap.saturating_sub(mark_len(s.len()));
    let mut used = 0;
    let mut end = 0;
    for (at, c) in s.char_indices() {
        let cost: usize = s.as_bytes()[at..at + c.len_utf8()]
            .iter()
            .copied()
            .map(escaped_len)
            .sum();
        if used + cost > budget {
            break;
        }
        used += cost;
        end = at + c.len_utf8();
    }
    let mut out = String::with_capacity(end + mark_len(s.len()));
    out.push_str(&s[..end]);
    out.push_str(&truncation_mark(s.len() - end));
    Cow::Owned(out)
}

fn cap_opt(s: &Option<String>, cap: usize) -> Option<String> {
    s.as_deref().map(|v| cap_str(v, cap).into_owned())
}

/// Whether any string or key inside `v` is over its cap.
fn value_over(v: &Value) -> bool {
    match v {
        Value::String(s) => over(s, MAX_ARGUMENT_STRING_BYTES),
        Value::Array(items) => items.iter().any(value_over),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| over(k, MAX_FIELD_BYTES) || value_over(v)),
        _ => false,
    }
}

/// A copy of `v` with every string and key cut to its cap.
fn cap_value(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(cap_str(s, MAX_ARGUMENT_STRING_BYTES).into_owned()),
        Value::Array(items) => Value::Array(items.iter().map(cap_value).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (cap_str(k, MAX_FIELD_BYTES).into_owned(), cap_value(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

impl AuditRecord {
    /// The record with every string field cut to its cap (see
    /// [`crate::audit`]'s size caps): borrowed when nothing is over, which
    /// is every ordinary record.
    pub fn capped(&self) -> Cow<'_, AuditRecord> {
        let fields_over = [&self.call_id, &self.caller, &self.function, &self.client]
            .iter()
            .any(|f| f.as_deref().is_some_and(|s| over(s, MAX_FIELD_BYTES)))
            || over(&self.reason, MAX_FIELD_BYTES);
        let arguments_over = self.arguments.as_ref().is_some_and(value_over);
        let details_over = self.details.as_ref().is_some_and(value_over);
        if !fields_over && !arguments_over && !details_over {
            return Cow::Borrowed(self);
        }
        Cow::Owned(AuditRecord {
            event: self.event,
            time_ms: self.time_ms,
            call_id: cap_opt(&self.call_id, MAX_FIELD_BYTES),
            caller: cap_opt(&self.caller, MAX_FIELD_BYTES),
            function: cap_opt(&self.function, MAX_FIELD_BYTES),
            outcome: self.outcome,
            reason: cap_str(&self.reason, MAX_FIELD_BYTES).into_owned(),
            duration: self.duration,
            client: cap_opt(&self.client, MAX_FIELD_BYTES),
            arguments: if arguments_over {
                self.arguments.as_ref().map(cap_value)
            } else {
                self.arguments.clone()
            },
            details: if details_over {
                self.details.as_ref().map(cap_value)
            } else {
                self.details.clone()
            },
        })
    }
}

/// The mark that replaces a record's arguments when its line would be over
/// [`MAX_LINE_BYTES`]: a JSON string naming how many bytes of JSON the
/// arguments had.
pub(crate) fn arguments_mark(arguments: Option<&Value>) -> Value {
    let mut counter = ByteCounter(0);
    if let Some(v) = arguments {
        // Writing into a counter cannot fail; on failure the count is 0.
        let _ = serde_json::to_writer(&mut counter, v);
    }
    Value::String(truncation_mark(counter.0))
}

/// Counts bytes instead of storing them.
struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes a record with `write` into `out`; when what it appended is longer
/// than `budget` bytes, writes it again with the arguments replaced by
/// [`arguments_mark`]. `record` should already be [`AuditRecord::capped`].
pub(crate) fn write_within_budget(
    out: &mut Vec<u8>,
    budget: usize,
    record: &AuditRecord,
    write: impl Fn(&mut Vec<u8>, super::AuditFields<'_>) -> serde_json::Result<()>,
) -> serde_json::Result<()> {
    let start = out.len();
    write(out, record.fields())?;
    if out.len() - start <= budget || record.arguments.is_none() {
        return Ok(());
    }
    out.truncate(start);
    let mark = arguments_mark(record.arguments.as_ref());
    let mut fields = record.fields();
    fields.arguments = Some(&mark);
    write(out, fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::AuditEvent;

    #[test]
    fn short_strings_are_borrowed_and_long_ones_cut_with_a_mark_within_the_cap() {
        assert!(matches!(cap_str("call-1", 256), Cow::Borrowed("call-1")));
        let long = "x".repeat(300);
        let cut = cap_str(&long, 256);
        // The mark has room for as many digits as the whole length has.
        assert!((250..=256).contains(&cut.len()), "{cut}");
        assert!(cut.ends_with(&truncation_mark(300 - cut.find('…').unwrap_or(0))));
        assert!(cut.starts_with("xxxx"));
        // Exactly at the cap is not cut.
        assert!(matches!(cap_str(&"y".repeat(256), 256), Cow::Borrowed(_)));
    }

    #[test]
    fn cuts_fall_on_character_boundaries_and_count_json_escapes() {
        let euros = "€".repeat(200); // 600 bytes, 3 per character
        let cut = cap_str(&euros, 256);
        assert!(json_len(&cut) <= 256);
        let kept = &cut[..cut.find("…[").unwrap_or(0)];
        assert_eq!(kept.len() % 3, 0);
        assert!(cut.ends_with(&format!("[truncated {} bytes]", 600 - kept.len())));
        // 100 control characters are 600 bytes of JSON, though 100 of text.
        let controls = "\u{1}".repeat(100);
        let cut = cap_str(&controls, 256);
        assert!(cut.contains(TRUNCATION_MARK_PREFIX));
        let json = serde_json::to_string(&*cut).unwrap_or_default();
        assert!(json.len() - 2 <= 256, "{}", json.len());
    }

    #[test]
    fn a_record_with_a_huge_caller_and_arguments_is_capped_field_by_field() {
        let mut record = AuditRecord::new(AuditEvent::ToolCall, "ok", "");
        record.caller = Some("9".repeat(900_000));
        record.call_id = Some("call-1".into());
        record.arguments = Some(serde_json::json!({
            "note": "n".repeat(5000),
            "k".repeat(400): 1,
            "list": ["short", "l".repeat(2000)],
        }));
        let capped = record.capped();
        assert!(matches!(capped, Cow::Owned(_)));
        let caller = capped.caller.as_deref().unwrap_or_default();
        assert!(caller.len() <= MAX_FIELD_BYTES);
        assert!(caller.ends_with(" bytes]"), "{caller}");
        assert_eq!(capped.call_id.as_deref(), Some("call-1"));
        let args = capped.arguments.as_ref().and_then(Value::as_object);
        let args = args.cloned().unwrap_or_default();
        let note = args["note"].as_str().unwrap_or_default();
        assert!(note.len() <= MAX_ARGUMENT_STRING_BYTES);
        assert!(note.ends_with(&truncation_mark(5000 - note.find('…').unwrap_or(0))));
        assert!(args.keys().all(|k| k.len() <= MAX_FIELD_BYTES));
        assert_eq!(args["list"][0], "short");
        // An ordinary record is not copied.
        let plain = AuditRecord::new(AuditEvent::ToolCall, "ok", "fine");
        assert!(matches!(plain.capped(), Cow::Borrowed(_)));
    }
}
