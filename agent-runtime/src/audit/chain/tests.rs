//! The chained file on real temporary files: what verification reports for
//! intact, sealed, cut, torn and tampered files, and what opening does with
//! each.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;
use crate::audit::{AuditEvent, AuditRecord, AuditSink};

const KEY: &str = "an-audit-chain-key-of-at-least-32-bytes";
const OTHER_KEY: &str = "another-audit-chain-key-of-32-bytes-or-more";

fn key() -> AuditKey {
    AuditKey::from_bytes(KEY.as_bytes()).unwrap()
}

fn keyed() -> ChainKey {
    ChainKey::Keyed(key())
}

/// A file path of its own for each test, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "agent-audit-chain-{}-{name}.jsonl",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&path);
        TempFile(path)
    }
    fn lines(&self) -> Vec<String> {
        std::fs::read_to_string(&self.0)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    }
    fn rewrite(&self, lines: &[String]) {
        std::fs::write(&self.0, lines.join("\n") + "\n").unwrap();
    }
    fn append_raw(&self, bytes: &[u8]) {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.0)
            .unwrap();
        f.write_all(bytes).unwrap();
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn no_timer() -> AuditFileOptions {
    AuditFileOptions::new().seal_interval(None)
}

fn record(i: usize) -> AuditRecord {
    let mut r = AuditRecord::new(AuditEvent::ToolCall, "ok", format!("r{i}"));
    r.function = Some("transfer_funds".into());
    r
}

/// Opens `path`, writes `n` records, and seals at a clean stop when asked.
fn write(path: &Path, key: ChainKey, n: usize, stop: bool) {
    let sink = JsonLinesAuditSink::open_with(path, key, no_timer()).unwrap();
    for i in 0..n {
        sink.record(&record(i));
    }
    if stop {
        sink.seal();
    }
}

fn kinds(file: &TempFile) -> Vec<String> {
    file.lines()
        .iter()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap_or_default();
            v["kind"].as_str().unwrap_or("?").to_owned()
        })
        .collect()
}

#[test]
fn an_intact_keyed_chain_verifies_and_reports_its_kind_seals_and_segments() {
    let f = TempFile::new("intact");
    write(&f.0, keyed(), 3, true);
    write(&f.0, keyed(), 2, true);
    assert_eq!(
        kinds(&f),
        [
            "start", "record", "record", "record", "seal", "resume", "record", "record", "seal"
        ]
    );
    let first: serde_json::Value = serde_json::from_str(&f.lines()[0]).unwrap();
    assert_eq!(first["format"], FORMAT_NAME);
    assert_eq!(first["version"], FORMAT_VERSION);
    assert_eq!(first["keyed"], true);
    assert_eq!(first["key_id"], key().key_id());
    assert!(!std::fs::read_to_string(&f.0).unwrap().contains(KEY));

    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert_eq!(
        report.chain,
        ChainKind::Keyed {
            key_id: key().key_id().to_owned()
        }
    );
    assert_eq!((report.records, report.lines), (5, 9));
    assert_eq!(report.unproven_tail_records, 0);
    assert!(report.clean_stop());
    let seal = report.last_seal.unwrap();
    assert_eq!((seal.seq, seal.reason), (9, SealReason::Stop));
    assert_eq!(report.segments.len(), 1);
    assert_eq!(report.segments[0].cause, SegmentCause::Reopened);
    assert_eq!(report.segments[0].previous_end, ChainEnd::StopSeal);
    let text = report.to_string();
    assert!(
        text.starts_with(&format!("keyed chain, key id {}", key().key_id())),
        "{text}"
    );
    assert!(text.contains("ok: keyed chain"), "{text}");
}

#[test]
fn cutting_the_newest_lines_shows_as_an_unproven_tail_or_a_missing_seal() {
    let f = TempFile::new("cut");
    let sink = JsonLinesAuditSink::open_with(&f.0, keyed(), no_timer()).unwrap();
    for i in 0..2 {
        sink.record(&record(i));
    }
    sink.seal_on_interval();
    for i in 2..5 {
        sink.record(&record(i));
    }
    sink.seal();
    drop(sink);
    // start, r0, r1, interval seal, r2, r3, r4, stop seal
    let original = f.lines();
    assert_eq!(original.len(), 8);
    assert!(verify_file(&f.0, Some(&key())).unwrap().clean_stop());

    // The stop seal and the newest record cut: the chain still verifies,
    // and the report says the tail after the interval seal is unproven.
    f.rewrite(&original[..6]);
    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert!(!report.clean_stop());
    assert_eq!(report.end, ChainEnd::Unsealed);
    assert_eq!(report.unproven_tail_records, 2);
    assert_eq!(
        report.last_seal.map(|s| (s.seq, s.reason)),
        Some((4, SealReason::Interval))
    );
    assert!(
        report
            .to_string()
            .contains("tail after the last seal is unproven: 2 records"),
        "{report}"
    );

    // Cut exactly at the interval seal: no unproven record, but no clean stop.
    f.rewrite(&original[..4]);
    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert_eq!(report.end, ChainEnd::IntervalSeal);
    assert!(!report.clean_stop());

    // The newest record alone removed from before the stop seal: a gap.
    let mut removed = original.clone();
    removed.remove(6);
    f.rewrite(&removed);
    assert_eq!(verify_file(&f.0, Some(&key())).unwrap_err().line, 7);

    // A seal removed from the middle is a gap in the sequence.
    let mut removed = original.clone();
    removed.remove(3);
    f.rewrite(&removed);
    let e = verify_file(&f.0, Some(&key())).unwrap_err();
    assert_eq!(e.line, 4);
    assert!(matches!(
        e.problem,
        ChainProblem::SequenceOutOfOrder {
            expected: 4,
            found: 5
        }
    ));
}

#[test]
fn records_of_a_running_writer_are_an_unproven_tail_until_sealed() {
    let f = TempFile::new("running");
    let sink = JsonLinesAuditSink::open_with(&f.0, keyed(), no_timer()).unwrap();
    sink.record(&record(0));
    sink.record(&record(1));
    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert_eq!(report.unproven_tail_records, 2);
    assert_eq!(report.last_seal, None);
    sink.seal_on_interval();
    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert_eq!(report.unproven_tail_records, 0);
    assert_eq!(report.end, ChainEnd::IntervalSeal);
    // Idle: no second interval seal, and a stop seal marks the clean stop.
    sink.seal_on_interval();
    sink.seal();
    sink.seal();
    assert_eq!(kinds(&f), ["start", "record", "record", "seal", "seal"]);
    assert!(verify_file(&f.0, Some(&key())).unwrap().clean_stop());
}

#[test]
fn an_empty_file_a_missing_file_and_a_file_without_a_start_record_are_errors() {
    let f = TempFile::new("empty");
    std::fs::write(&f.0, "").unwrap();
    let e = verify_file(&f.0, None).unwrap_err();
    assert_eq!(e.problem, ChainProblem::Empty);
    assert_eq!(
        verify_file(&f.0, Some(&key())).unwrap_err().problem,
        ChainProblem::Empty
    );

    let missing = TempFile::new("never-written");
    let e = verify_file(&missing.0, Some(&key())).unwrap_err();
    assert_eq!(e.problem, ChainProblem::NotFound);
    assert!(e.to_string().contains("does not exist"), "{e}");

    // A file of the previous format (no start record) and any other JSON.
    std::fs::write(
        &f.0,
        format!(
            "{{\"seq\":1,\"prev\":\"{}\",\"event\":\"tool_call\",\"hash\":\"{}\"}}\n",
            "0".repeat(64),
            "a".repeat(64)
        ),
    )
    .unwrap();
    assert_eq!(
        verify_file(&f.0, None).unwrap_err().problem,
        ChainProblem::NoStartRecord
    );
    assert!(matches!(
        JsonLinesAuditSink::open_with(&f.0, ChainKey::UnkeyedAccidentalEditsOnly, no_timer()),
        Err(OpenError::Chain(ChainError {
            problem: ChainProblem::NoStartRecord,
            ..
        }))
    ));
    std::fs::write(&f.0, "{\"hello\":1}\n").unwrap();
    assert_eq!(
        verify_file(&f.0, None).unwrap_err().problem,
        ChainProblem::NoStartRecord
    );
}

#[test]
fn keys_must_match_the_kind_and_key_id_of_the_chain() {
    let unkeyed = TempFile::new("unkeyed");
    write(&unkeyed.0, ChainKey::UnkeyedAccidentalEditsOnly, 2, true);
    let other = AuditKey::from_bytes(OTHER_KEY.as_bytes()).unwrap();

    // An unkeyed chain where a key is expected (a keyed chain replaced by an
    // unkeyed one) is refused; without a key it is reported as unkeyed.
    let e = verify_file(&unkeyed.0, Some(&key())).unwrap_err();
    assert_eq!(e.problem, ChainProblem::UnkeyedChainWhereKeyExpected);
    assert!(e.to_string().starts_with("audit chain refused"), "{e}");
    let report = verify_file(&unkeyed.0, None).unwrap();
    assert_eq!(report.chain, ChainKind::Unkeyed);
    assert!(
        report.to_string().contains("ok: unkeyed chain intact"),
        "{report}"
    );

    // A keyed chain: refused without a key, and with another key.
    let keyed_file = TempFile::new("keyed");
    write(&keyed_file.0, keyed(), 2, true);
    assert_eq!(
        verify_file(&keyed_file.0, None).unwrap_err().problem,
        ChainProblem::KeyedChainWithoutKey {
            key_id: key().key_id().to_owned()
        }
    );
    assert_eq!(
        verify_file(&keyed_file.0, Some(&other))
            .unwrap_err()
            .problem,
        ChainProblem::OtherKey {
            chain_key_id: key().key_id().to_owned(),
            given_key_id: other.key_id().to_owned()
        }
    );

    // A keyed header flipped to unkeyed no longer verifies under either.
    let mut lines = keyed_file.lines();
    lines[0] = lines[0].replace("\"keyed\":true", "\"keyed\":false");
    keyed_file.rewrite(&lines);
    assert!(verify_file(&keyed_file.0, None).is_err());
    assert!(verify_file(&keyed_file.0, Some(&key())).is_err());

    // Nor does the sink extend it.
    assert!(matches!(
        JsonLinesAuditSink::open_with(&keyed_file.0, keyed(), no_timer()),
        Err(OpenError::Chain(ChainError {
            problem: ChainProblem::UnkeyedChainWhereKeyExpected,
            ..
        }))
    ));
}

#[test]
fn the_sink_refuses_to_extend_a_chain_of_another_kind_or_key() {
    let f = TempFile::new("extend");
    write(&f.0, keyed(), 1, true);
    let other = ChainKey::Keyed(AuditKey::from_bytes(OTHER_KEY.as_bytes()).unwrap());
    assert!(matches!(
        JsonLinesAuditSink::open_with(&f.0, other, no_timer()),
        Err(OpenError::Chain(ChainError {
            problem: ChainProblem::OtherKey { .. },
            ..
        }))
    ));
    assert!(matches!(
        JsonLinesAuditSink::open_with(&f.0, ChainKey::UnkeyedAccidentalEditsOnly, no_timer()),
        Err(OpenError::Chain(ChainError {
            problem: ChainProblem::KeyedChainWithoutKey { .. },
            ..
        }))
    ));
    // One writer per file.
    let sink = JsonLinesAuditSink::open_with(&f.0, keyed(), no_timer()).unwrap();
    assert!(matches!(
        JsonLinesAuditSink::open_with(&f.0, keyed(), no_timer()),
        Err(OpenError::Locked)
    ));
    drop(sink);
    assert!(JsonLinesAuditSink::open_with(&f.0, keyed(), no_timer()).is_ok());
}

#[test]
fn a_torn_last_line_is_reported_then_sealed_off_on_reopen_and_the_sink_goes_on() {
    let f = TempFile::new("torn");
    write(&f.0, keyed(), 3, false);
    // The process died in the middle of writing line 5.
    let fragment = b"{\"seq\":5,\"prev\":\"3f2a\",\"kind\":\"record\",\"event\":\"tool_c";
    f.append_raw(fragment);
    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert_eq!(report.incomplete_last_line, Some(fragment.len() as u64));
    assert_eq!(report.unproven_tail_records, 3);
    assert!(!report.clean_stop());
    assert!(
        report.to_string().contains("incomplete last line"),
        "{report}"
    );

    let sink = JsonLinesAuditSink::open_with(&f.0, keyed(), no_timer()).unwrap();
    sink.record(&record(9));
    sink.seal();
    drop(sink);
    let lines = f.lines();
    assert_eq!(
        lines[4].as_bytes(),
        fragment,
        "the torn bytes stay in place"
    );
    let torn: serde_json::Value = serde_json::from_str(&lines[5]).unwrap();
    assert_eq!(torn["kind"], "torn");
    assert_eq!(torn["seq"], 5);
    assert_eq!(torn["after_seq"], 4);
    assert_eq!(torn["torn_bytes"], fragment.len());
    assert_eq!(torn["torn_lines"], 1);

    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert_eq!(report.records, 4);
    assert!(report.clean_stop());
    assert_eq!(report.incomplete_last_line, None);
    assert_eq!(
        report.segments,
        vec![Segment {
            seq: 5,
            time_ms: torn["time_ms"].as_u64().unwrap(),
            cause: SegmentCause::TornLine {
                after_seq: 4,
                bytes: fragment.len() as u64,
                lines: 1
            },
            previous_end: ChainEnd::Unsealed,
            unsealed_records_before: 3,
        }]
    );
    let text = report.to_string();
    assert!(
        text.contains(&format!(
            "a torn line of {} bytes (1 line) after seq 4 was sealed off",
            fragment.len()
        )),
        "{text}"
    );

    // Tampering with the sealed-off bytes, or with the torn record, shows.
    let mut changed = lines.clone();
    changed[4] = changed[4].replace("tool_c", "tool_x");
    f.rewrite(&changed);
    assert_eq!(verify_file(&f.0, Some(&key())).unwrap_err().line, 5);
    let mut changed = lines.clone();
    changed[5] = changed[5].replace("\"torn_lines\":1", "\"torn_lines\":2");
    f.rewrite(&changed);
    assert_eq!(verify_file(&f.0, Some(&key())).unwrap_err().line, 5);
}

#[test]
fn a_crash_while_sealing_off_a_torn_line_is_sealed_off_in_turn() {
    let f = TempFile::new("torn-twice");
    write(&f.0, keyed(), 2, false);
    f.append_raw(b"{\"seq\":4,\"pr");
    // The next start died too, half way through its `torn` record.
    f.append_raw(b"\n{\"seq\":4,\"prev\":\"ab");
    let sink = JsonLinesAuditSink::open_with(&f.0, keyed(), no_timer()).unwrap();
    sink.record(&record(7));
    sink.seal();
    drop(sink);
    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert!(report.clean_stop());
    assert!(matches!(
        report.segments[0].cause,
        SegmentCause::TornLine {
            after_seq: 3,
            lines: 2,
            ..
        }
    ));
}

#[test]
fn a_line_whose_newline_was_not_written_joins_the_chain() {
    let f = TempFile::new("no-newline");
    write(&f.0, keyed(), 2, false);
    let text = std::fs::read_to_string(&f.0).unwrap();
    std::fs::write(&f.0, text.trim_end_matches('\n')).unwrap();
    assert_eq!(
        verify_file(&f.0, Some(&key()))
            .unwrap()
            .incomplete_last_line,
        None
    );
    write(&f.0, keyed(), 1, true);
    assert_eq!(kinds(&f)[3], "resume");
    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert_eq!((report.records, report.segments.len()), (3, 1));
    assert!(report.clean_stop());
}

#[test]
fn a_torn_start_record_starts_the_file_afresh() {
    let f = TempFile::new("torn-start");
    std::fs::write(&f.0, "{\"seq\":1,\"prev\":\"00000").unwrap();
    assert_eq!(
        verify_file(&f.0, None).unwrap_err().problem,
        ChainProblem::IncompleteStartRecord
    );
    write(&f.0, keyed(), 1, true);
    assert_eq!(kinds(&f), ["start", "record", "seal"]);
    assert!(verify_file(&f.0, Some(&key())).unwrap().clean_stop());
}

#[test]
fn changed_removed_reordered_and_inserted_middle_lines_are_still_detected() {
    let f = TempFile::new("tamper");
    write(&f.0, keyed(), 4, true);
    let original = f.lines();
    let check = |lines: &[String], line: u64| {
        f.rewrite(lines);
        let e = verify_file(&f.0, Some(&key())).unwrap_err();
        assert_eq!(e.line, line, "{e}");
        // A broken file is not extended either.
        assert!(matches!(
            JsonLinesAuditSink::open_with(&f.0, keyed(), no_timer()),
            Err(OpenError::Chain(_))
        ));
        e
    };

    let mut changed = original.clone();
    changed[2] = changed[2].replace("\"ok\"", "\"error\"");
    let e = check(&changed, 3);
    assert_eq!(e.problem, ChainProblem::HashMismatch);
    assert!(e.to_string().contains("broken at line 3"), "{e}");

    let mut removed = original.clone();
    removed.remove(2);
    check(&removed, 3);

    let mut reordered = original.clone();
    reordered.swap(2, 3);
    check(&reordered, 3);

    let mut inserted = original.clone();
    inserted.insert(2, original[1].clone());
    check(&inserted, 3);

    // A changed last line (complete, with its newline) is not a torn one.
    let mut last = original.clone();
    let n = last.len() - 1;
    last[n] = last[n].replace("\"stop\"", "\"interval\"");
    let e = check(&last, 6);
    assert_eq!(e.problem, ChainProblem::HashMismatch);

    // A line forged without the key: a well-formed record with a hash.
    let mut forged = original.clone();
    let fake = AuditKey::from_bytes(OTHER_KEY.as_bytes()).unwrap();
    let mac = key::LineMac::new(Some(&fake));
    let body = original[2].rsplit_once(",\"hash\"").unwrap().0.to_owned();
    forged[2] = format!("{body},\"hash\":\"{}\"}}", mac.tag_hex(body.as_bytes()));
    check(&forged, 3);
}

#[test]
fn every_fsync_policy_writes_a_chain_that_verifies() {
    for (name, policy) in [
        ("every", FsyncPolicy::EveryRecord),
        ("on-seal", FsyncPolicy::OnSeal),
        ("never", FsyncPolicy::Never),
    ] {
        let f = TempFile::new(&format!("fsync-{name}"));
        for _ in 0..2 {
            let options = AuditFileOptions::new().fsync(policy).seal_interval(None);
            let sink = JsonLinesAuditSink::open_with(&f.0, keyed(), options).unwrap();
            for i in 0..3 {
                sink.record(&record(i));
            }
            sink.seal_on_interval();
            sink.record(&record(3));
            sink.seal();
        }
        let report = verify_file(&f.0, Some(&key())).unwrap();
        assert_eq!(report.records, 8, "{name}");
        assert!(report.clean_stop(), "{name}");
    }
    assert_eq!(
        AuditFileOptions::default().fsync_policy(),
        FsyncPolicy::OnSeal
    );
    assert_eq!(
        AuditFileOptions::default().interval(),
        Some(DEFAULT_SEAL_INTERVAL)
    );
}

#[test]
fn the_seal_thread_seals_records_within_the_interval_and_ends_with_the_sink() {
    let f = TempFile::new("timer");
    let options = AuditFileOptions::new().seal_interval(Some(Duration::from_millis(20)));
    let sink = JsonLinesAuditSink::open_with(&f.0, keyed(), options).unwrap();
    sink.record(&record(0));
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while kinds(&f).last().map(String::as_str) != Some("seal") {
        assert!(std::time::Instant::now() < deadline, "no interval seal");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Idle: nothing more is written.
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(kinds(&f), ["start", "record", "seal"]);
    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert_eq!(
        report.last_seal.map(|s| s.reason),
        Some(SealReason::Interval)
    );
    assert_eq!(report.unproven_tail_records, 0);
    drop(sink); // joins the thread
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(kinds(&f).len(), 3);
}

#[test]
fn after_a_failed_write_the_next_line_seals_off_what_it_left() {
    let f = TempFile::new("repair");
    let sink = JsonLinesAuditSink::open_with(&f.0, keyed(), no_timer()).unwrap();
    sink.record(&record(0));
    // A write cut short by a full disk leaves part of a line behind.
    f.append_raw(b"{\"seq\":3,\"prev\":\"9a");
    sink.mark_write_failed();
    sink.record(&record(1));
    sink.seal();
    drop(sink);
    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert_eq!(report.records, 2);
    assert!(report.clean_stop());
    assert!(matches!(
        report.segments[0].cause,
        SegmentCause::TornLine {
            after_seq: 2,
            bytes: 19,
            lines: 1
        }
    ));

    // A failed write that reached the file after all joins the chain.
    let g = TempFile::new("repair-complete");
    let sink = JsonLinesAuditSink::open_with(&g.0, keyed(), no_timer()).unwrap();
    sink.mark_write_failed();
    sink.record(&record(0));
    sink.seal();
    assert!(verify_file(&g.0, Some(&key())).unwrap().segments.is_empty());
}

#[test]
fn a_900_kb_caller_id_makes_one_capped_line_in_the_file() {
    let f = TempFile::new("huge");
    let sink = JsonLinesAuditSink::open_with(&f.0, keyed(), no_timer()).unwrap();
    let mut r = record(0);
    r.caller = Some("9".repeat(900_000));
    r.arguments = Some(serde_json::json!({ "note": "n".repeat(50_000) }));
    for _ in 0..300 {
        sink.record(&r);
    }
    sink.seal();
    drop(sink);
    let len = std::fs::metadata(&f.0).unwrap().len();
    // 300 records, each far under the line cap (the caller id is cut).
    assert!(len < 300 * 2048, "{len} bytes");
    let line = &f.lines()[1];
    assert!(line.len() <= crate::audit::MAX_LINE_BYTES, "{}", line.len());
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    assert!(
        v["caller"].as_str().unwrap().contains("…[truncated 899"),
        "{}",
        v["caller"]
    );
    assert!(
        v["arguments"]["note"]
            .as_str()
            .unwrap()
            .contains("…[truncated ")
    );
    assert!(verify_file(&f.0, Some(&key())).unwrap().clean_stop());
}

#[test]
fn a_torn_region_longer_than_any_line_is_hashed_as_it_is_read() {
    let f = TempFile::new("zeros");
    write(&f.0, keyed(), 2, false);
    // Zero-filled blocks after a power failure: 200 KB, no newline.
    let zeros = vec![0u8; 200_000];
    f.append_raw(&zeros);
    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert_eq!(report.incomplete_last_line, Some(200_000));
    write(&f.0, keyed(), 1, true);
    let report = verify_file(&f.0, Some(&key())).unwrap();
    assert!(report.clean_stop());
    assert!(matches!(
        report.segments[0].cause,
        SegmentCause::TornLine {
            after_seq: 3,
            bytes: 200_000,
            lines: 1
        }
    ));
    // The same bytes as a whole line in the middle of a chain are not torn.
    let g = TempFile::new("long-middle");
    write(&g.0, keyed(), 2, true);
    let mut lines = g.lines();
    lines.insert(2, "x".repeat(100_000));
    g.rewrite(&lines);
    let e = verify_file(&g.0, Some(&key())).unwrap_err();
    assert_eq!((e.line, e.problem), (3, ChainProblem::NotAChainLine));
}
