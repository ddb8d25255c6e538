#!/usr/bin/env bash
# Soak test: the ten-tool agent (bench/agent, the production build that
# load.sh measures) under mixed traffic for SECONDS (default 600), with its
# resident memory and open descriptors sampled every 10 s. Passes when both
# are flat over the last 5 minutes and no request got another answer than
# the one expected for its kind.
#
#   bench/soak.sh          # 10 minutes
#   bench/soak.sh 60       # a one-minute check of the setup
#
# Traffic, one wrk per kind running the whole time (each kind has exactly
# one right answer, checked on every response by bench/wrk/soak.lua):
#   swml         POST /, platform-shaped body with a call id        200, tokens in the document
#   swaig        get_balance, caller number varied per request      200, the handler's answer
#   secure       transfer_funds with the token the SWML carries     200, the handler's answer
#   badauth      wrong password                                     401
#   notoken      transfer_funds without a token                     403
#   badtoken     transfer_funds, one tag character changed          403
#   unknown      a function no tool has                             404
#   malformed    a body cut in the middle                           400 (malformed JSON)
#   repeated     a key named twice inside the call object            400 (repeated key)
#   oversized    a 2 MB body (limit 1 MiB)                           413
# and slow clients (bench/soak.py slow): connections that send half of
# their headers and stall, which the server must close within its client
# header timeout (5 s; judged with SLOW_LIMIT_S).
#
# Settings (environment):
#   SOAK_PORT      loopback port of the agent                          (38490)
#   CONNS          connections per kind of traffic                     (2)
#   SLOW_CLIENTS   stalled connections kept open at any time           (8)
#   SLOW_LIMIT_S   seconds within which the server must close them     (8)
#   SAMPLE_EVERY   seconds between samples                             (10)
#   WINDOW         seconds at the end over which flatness is judged    (300)
#   WARMUP         seconds at the start never judged (allocator pools,
#                  thread-local caches and connection buffers fill)     (20)
#   FD_SLACK       largest spread of open descriptors counted as flat  (16)
#   RESULTS_DIR    where samples, wrk results and the agent log go    (a new temp dir)
#   AGENT_LOG      the agent's stderr (one JSON audit line per request) (/dev/null)
#
# Flat means: max - min of VmRSS within 10% of the lowest value or 2 MiB,
# whichever is larger; max - min of open descriptors within FD_SLACK (the
# connections of wrk and of the slow clients come and go), and back within 2
# of the idle count once the traffic has stopped. Loopback only;
# every process started here is stopped on exit. Exits 1 on FAIL.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
DURATION=${1:-600}
SOAK_PORT=${SOAK_PORT:-38490}
CONNS=${CONNS:-2}
SLOW_CLIENTS=${SLOW_CLIENTS:-8}
SLOW_LIMIT_S=${SLOW_LIMIT_S:-8}
SAMPLE_EVERY=${SAMPLE_EVERY:-10}
WINDOW=${WINDOW:-300}
WARMUP=${WARMUP:-20}
FD_SLACK=${FD_SLACK:-16}
RESULTS_DIR=${RESULTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/agent-soak.XXXXXX")}
AGENT_LOG=${AGENT_LOG:-/dev/null}
mkdir -p "$RESULTS_DIR"

say() { printf '%s\n' "$*" >&2; }
die() { say "soak.sh: $*"; exit 2; }

case $DURATION in '' | *[!0-9]*) die "SECONDS must be a whole number, got '$DURATION'" ;; esac
[ "$DURATION" -ge 30 ] || die "run for at least 30 s"

# --- tools --------------------------------------------------------------------
command -v cargo >/dev/null || die "cargo is required"
command -v python3 >/dev/null || die "python3 is required"
command -v curl >/dev/null || die "curl is required"
if ! command -v wrk >/dev/null; then
  say "installing wrk (apt-get)"
  SUDO=
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update >&2 && $SUDO apt-get install -y wrk >&2
fi

say "building the release agent (bench-agent)"
(cd "$ROOT" && cargo build --release -p bench-agent >&2)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET_DIR in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
AGENT_BIN=$TARGET_DIR/release/bench-agent
[ -x "$AGENT_BIN" ] || die "$AGENT_BIN not found"

# --- fixed configuration (loopback only) ----------------------------------------
# Only the variables set here reach the agent's configuration.
unset SWML_WORKERS AGENT_ENV AGENT_EMERGENCY_MODE SWML_PROXY_URL_BASE \
  SIGNALWIRE_SWAIG_SECRET_PREVIOUS SIGNALWIRE_SWAIG_TOKEN_TTL SWML_MAX_REQUEST_SIZE \
  SWML_TOOL_TIMEOUT_SECS SIGNALWIRE_SIGNING_KEY SWML_HTTP_RATE_LIMIT SWML_SSL_ENABLED \
  SWML_SSL_CERT_PATH SWML_SSL_KEY_PATH SWML_DOMAIN SWML_ALLOWED_HOSTS SWML_CORS_ORIGINS \
  SWML_TRUST_PROXY_HEADERS AGENT_LOG_FORMAT RUST_LOG
export HOST=127.0.0.1 PORT=$SOAK_PORT
# The limiter stays on the request path (keys are created and forgotten all
# the time) but never refuses: a spoken refusal would be a 200 that is not
# the handler's answer.
export SWML_RATE_LIMIT=1000000000/sec
export SWML_BASIC_AUTH_USER=soak
export SWML_BASIC_AUTH_PASSWORD=soak-test-password-0123456789abcdef
export SIGNALWIRE_SWAIG_SECRET=soak-test-swaig-secret-0123456789abcdef
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }
AUTH="Basic $(b64 "$SWML_BASIC_AUTH_USER:$SWML_BASIC_AUTH_PASSWORD")"
BAD_AUTH="Basic $(b64 "$SWML_BASIC_AUTH_USER:not-the-password")"
URL=http://127.0.0.1:$SOAK_PORT

(exec 3<>"/dev/tcp/127.0.0.1/$SOAK_PORT") 2>/dev/null && die "port $SOAK_PORT is in use (set SOAK_PORT)"

PIDS=()
SLEEPER=
cleanup() {
  local pid
  if [ -n "$SLEEPER" ]; then kill "$SLEEPER" 2>/dev/null || true; fi
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- bodies ---------------------------------------------------------------------
SWML_BODY=$BENCH/bodies/swml_request.json
SWAIG_BODY=$BENCH/bodies/swaig_get_balance.json
SECURE_BODY=$BENCH/bodies/swaig_transfer_funds.json
B=$RESULTS_DIR/bodies
mkdir -p "$B"
sed 's/"function":"get_balance"/"function":"no_such_tool"/' "$SWAIG_BODY" >"$B/unknown.json"
head -c 200 "$SWAIG_BODY" >"$B/malformed.json"
# The call id named twice inside `call`: one reading would bind the token to
# one call and the audit record to the other.
sed 's/"call":{"call_id":"\([^"]*\)"/"call":{"call_id":"\1","call_id":"another-call"/' \
  "$SWML_BODY" >"$B/repeated.json"
grep -q '"call_id":"another-call"' "$B/repeated.json" || die "could not build the repeated-key body"
python3 -c 'import sys; sys.stdout.write("{\"function\":\"get_balance\",\"pad\":\"" + "x" * 2000000 + "\"}")' \
  >"$B/oversized.json"

# --- start ----------------------------------------------------------------------
say "starting the agent on $URL"
"$AGENT_BIN" >"$AGENT_LOG" 2>&1 &
AGENT_PID=$!
PIDS+=("$AGENT_PID")
python3 "$BENCH/bench.py" wait "$SOAK_PORT" / "$AUTH" "$SWML_BODY" 10 ||
  die "the agent did not start (run again with AGENT_LOG=agent.log to see why)"

# The token as the platform gets it: from the SWML document of the call the
# SWAIG bodies name.
curl -sS -f -X POST -H "Authorization: $AUTH" -H 'Content-Type: application/json' \
  --data-binary "@$SWML_BODY" "$URL/" >"$RESULTS_DIR/swml.json" || die "could not fetch the SWML document"
TOKEN=$(python3 "$BENCH/bench.py" token "$RESULTS_DIR/swml.json" transfer_funds)
BAD_TOKEN=$(python3 "$BENCH/bench.py" tamper "$TOKEN")

# kind -> path | auth | body | expected status | needle | text varied per request
kind() {
  case $1 in
    swml) echo "/|$AUTH|$SWML_BODY|200|__token=|" ;;
    swaig) echo "/swaig/|$AUTH|$SWAIG_BODY|200|ending in 0001|+15551230000" ;;
    secure) echo "/swaig/?__token=$TOKEN|$AUTH|$SECURE_BODY|200|Transferred 125.50 dollars|+15551230000" ;;
    badauth) echo "/|$BAD_AUTH|$SWML_BODY|401|unauthorized|" ;;
    notoken) echo "/swaig/|$AUTH|$SECURE_BODY|403|forbidden|" ;;
    badtoken) echo "/swaig/?__token=$BAD_TOKEN|$AUTH|$SECURE_BODY|403|forbidden|" ;;
    unknown) echo "/swaig/|$AUTH|$B/unknown.json|404|not found|" ;;
    malformed) echo "/swaig/|$AUTH|$B/malformed.json|400|must be a JSON object|" ;;
    repeated) echo "/|$AUTH|$B/repeated.json|400|same key twice|" ;;
    oversized) echo "/swaig/|$AUTH|$B/oversized.json|413|too large|" ;;
  esac
}
KINDS="swml swaig secure badauth notoken badtoken unknown malformed repeated oversized"

for k in $KINDS; do
  IFS='|' read -r path auth body status needle _vary <<<"$(kind "$k")"
  python3 "$BENCH/bench.py" check "$SOAK_PORT" "$path" "$auth" "$body" "$status" "$needle" ||
    die "$k does not answer as expected before the soak"
done

# --- drive and sample -----------------------------------------------------------
# "VmRSS-in-KiB open-descriptors" of the agent; fails once it is gone.
sample() {
  local rss
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$AGENT_PID/status" 2>/dev/null || true)
  [ -n "$rss" ] || return 1
  echo "$rss $( (ls "/proc/$AGENT_PID/fd" 2>/dev/null || true) | wc -l)"
}
IDLE=$RESULTS_DIR/idle.txt
echo "before $(sample)" >"$IDLE"
say "soak: ${DURATION} s, $CONNS connections per kind ($(wc -w <<<"$KINDS") kinds), $SLOW_CLIENTS slow clients"
WRK_TSV=$RESULTS_DIR/wrk.tsv
SAMPLES=$RESULTS_DIR/samples.tsv
: >"$WRK_TSV"
: >"$SAMPLES"
for k in $KINDS; do
  IFS='|' read -r path auth body status needle vary <<<"$(kind "$k")"
  WRK_PATH=$path WRK_AUTH=$auth WRK_BODY_FILE=$body WRK_EXPECT=$status WRK_NEEDLE=$needle \
    WRK_VARY=$vary wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s -s "$BENCH/wrk/soak.lua" \
    "$URL/" >"$RESULTS_DIR/wrk-$k.out" 2>&1 &
  PIDS+=("$!")
done
python3 "$BENCH/soak.py" slow "$SOAK_PORT" "$DURATION" "$SLOW_CLIENTS" "$AUTH" "$SLOW_LIMIT_S" \
  >"$RESULTS_DIR/slow.json" &
PIDS+=("$!")

started=$(date +%s)
say "   t (s)   VmRSS (KiB)   open fds"
# Samples are taken while the traffic runs: one at the very end would race
# with wrk closing its connections.
while :; do
  # In the background and waited for, so that Ctrl-C stops the run at once.
  sleep "$SAMPLE_EVERY" &
  SLEEPER=$!
  wait "$SLEEPER"
  t=$(($(date +%s) - started))
  [ "$t" -lt "$DURATION" ] || break
  sample >"$RESULTS_DIR/sample" || break # the agent died: judged below
  read -r rss fds <"$RESULTS_DIR/sample"
  printf '%s\t%s\t%s\n' "$t" "$rss" "$fds" >>"$SAMPLES"
  say "$(printf '   %5s   %11s   %8s' "$t" "$rss" "$fds")"
done

# wrk and the slow clients stop by themselves at the end of the duration.
for pid in "${PIDS[@]:1}"; do wait "$pid" 2>/dev/null || true; done
sleep 2 # let the server close its side of the last connections
ALIVE=0
if sample >"$RESULTS_DIR/sample"; then
  ALIVE=1
  echo "after $(cat "$RESULTS_DIR/sample")" >>"$IDLE"
fi
for k in $KINDS; do
  IFS='|' read -r _path _auth _body status _needle _vary <<<"$(kind "$k")"
  result=$(sed -n 's/^WRK_RESULT //p' "$RESULTS_DIR/wrk-$k.out")
  printf '%s\t%s\t%s\n' "$k" "$status" "${result:-$(tr '\n' ' ' <"$RESULTS_DIR/wrk-$k.out")}" >>"$WRK_TSV"
done

echo "soak of bench-agent (release) for ${DURATION} s, commit $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?'), $(nproc) CPUs shared by the agent, wrk and the slow clients"
status=0
python3 "$BENCH/soak.py" report "$SAMPLES" "$WRK_TSV" "$RESULTS_DIR/slow.json" "$IDLE" "$WINDOW" \
  "$WARMUP" "$FD_SLACK" "$ALIVE" || status=$?
say "raw results: $RESULTS_DIR"
exit "$status"
