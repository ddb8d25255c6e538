#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for SECONDS each (default 600), one
# after the other (one libFuzzer process at a time: on two cores the other
# core stays free for the machine, and the figures of one target are not
# slowed by another), and prints a table: run time, executions, exec/s, new
# crashes (with where their artifacts are) and peak RSS per target.
#
#   fuzz/run.sh            # 600 s per target, about an hour
#   fuzz/run.sh 60         # a minute per target
#   TARGETS="token query" fuzz/run.sh 30
#
# Settings (environment):
#   TARGETS       targets to run, in order (all six)
#   RSS_LIMIT_MB  libFuzzer's -rss_limit_mb: a run over it is an OOM crash (2048)
#   TIMEOUT_S     libFuzzer's -timeout: one input slower than this is a crash (10)
#
# Builds with the installed nightly toolchain (`cargo +nightly fuzz`, address
# sanitizer on, so libFuzzer's -detect_leaks=1 runs LeakSanitizer after each
# input that allocates more than it frees), installing cargo-fuzz first if it
# is missing. Seeds come from fuzz/corpus/<target>/ and are never written to:
# what libFuzzer finds goes to fuzz/target/corpus/<target>/ (kept between runs,
# so a later run starts from what an earlier one reached). Crashes go to
# fuzz/artifacts/<target>/; reproduce one with
#   cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>
# Each target's full libFuzzer output is in fuzz/target/logs/<target>.log.
# Exits 1 when any target crashed, leaked or ran out of memory.
set -euo pipefail

FUZZ=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SECONDS_EACH=${1:-600}
TARGETS=${TARGETS:-"swml_request swaig_envelope token basic_auth signature_header query"}
RSS_LIMIT_MB=${RSS_LIMIT_MB:-2048}
TIMEOUT_S=${TIMEOUT_S:-10}

say() { printf '%s\n' "$*" >&2; }
die() { say "run.sh: $*"; exit 2; }

case $SECONDS_EACH in '' | *[!0-9]*) die "SECONDS must be a whole number, got '$SECONDS_EACH'" ;; esac

# Longest input per target: a little over what the parser itself accepts
# or what a real request holds, so the size limits are reached too.
max_len() {
  case $1 in
    swml_request | swaig_envelope) echo 8192 ;; # real bodies are 0.5 to 2 KiB
    token) echo 1024 ;;                         # tokens over 512 bytes are refused unread
    basic_auth) echo 2048 ;;                    # headers over 1 KiB are refused unread
    signature_header) echo 4096 ;;              # URL, body and header together
    query) echo 2048 ;;
    *) die "unknown target $1" ;;
  esac
}

# --- tools ---------------------------------------------------------------------
command -v cargo >/dev/null || die "cargo is required"
command -v rustup >/dev/null || die "rustup is required (for the nightly toolchain)"
rustup toolchain list | grep -q '^nightly' ||
  die "no nightly toolchain is installed (cargo-fuzz needs one: rustup toolchain install nightly)"
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  say "installing cargo-fuzz"
  cargo install cargo-fuzz >&2
fi

cd "$FUZZ"
say "building the targets (nightly, address sanitizer)"
cargo +nightly fuzz build >&2

mkdir -p target/logs
# Names of the artifacts present now, so only new ones are counted.
artifacts() { find "artifacts/$1" -type f 2>/dev/null | sort || true; }

FAILED=0
ROWS=()
for target in $TARGETS; do
  len=$(max_len "$target")
  mkdir -p "target/corpus/$target" "artifacts/$target"
  before=$(artifacts "$target")
  log=target/logs/$target.log
  say "== $target: ${SECONDS_EACH} s, -max_len=$len"
  started=$(date +%s)
  status=0
  # The first corpus directory is the one libFuzzer adds to; the seeds are
  # read only.
  cargo +nightly fuzz run "$target" "target/corpus/$target" "corpus/$target" -- \
    -max_total_time="$SECONDS_EACH" -max_len="$len" -rss_limit_mb="$RSS_LIMIT_MB" \
    -timeout="$TIMEOUT_S" -detect_leaks=1 -print_final_stats=1 >"$log" 2>&1 || status=$?
  elapsed=$(($(date +%s) - started))

  # libFuzzer's closing statistics (-print_final_stats=1).
  final_stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
  execs=$(final_stat number_of_executed_units)
  rate=$(final_stat average_exec_per_sec)
  rss=$(final_stat peak_rss_mb)
  new=$(comm -13 <(printf '%s\n' "$before") <(artifacts "$target") | sed '/^$/d')
  crashes=$(printf '%s' "$new" | grep -c . || true)
  if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    FAILED=1
    result="FAILED (exit $status): $crashes new artifact(s) $(printf '%s' "$new" | tr '\n' ' ')"
  else
    result="no crash, no leak, no OOM"
  fi
  ROWS+=("| $target | $elapsed s | ${execs:-?} | ${rate:-?} | ${rss:-?} MiB | $result |")
  say "   $elapsed s, ${execs:-?} executions, ${rate:-?} exec/s, peak RSS ${rss:-?} MiB: $result"
done

echo
echo "cargo-fuzz, ${SECONDS_EACH} s per target, one target at a time, $(rustc +nightly --version)"
echo
echo "| target | run time | executions | exec/s | peak RSS | result |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${ROWS[@]}"
echo
echo "logs: fuzz/target/logs/<target>.log; grown corpora: fuzz/target/corpus/<target>/; crashes: fuzz/artifacts/<target>/"
exit "$FAILED"
