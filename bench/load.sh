#!/usr/bin/env bash
# Load benchmark: the ten-tool agent (bench/agent) against a bare actix-web
# baseline (bench/baseline: basic auth + a fixed 2 KiB JSON body), both on
# loopback, driven by wrk with the same settings, median of several runs.
#
#   bench/load.sh                         # defaults below, about 8 minutes
#   DURATION=10 REPS=5 bench/load.sh      # the setting the performance targets are stated for
#   WORKER_MODES=1 CONNECTIONS=64 bench/load.sh
#
# Settings (environment):
#   DURATION      seconds per wrk run                    (5)
#   REPS          runs per scenario; the median is kept  (3)
#   CONNECTIONS   connection counts                      ("16 64")
#   WORKER_MODES  "default" (actix: one worker per core) and/or a number,
#                 passed as SWML_WORKERS / BASELINE_WORKERS ("default 1")
#   THREADS       wrk threads                            (2)
#   PIN           1: with one server worker, pin the servers to CPU 0 and wrk
#                 to CPU 1 (taskset), one wrk thread     (1)
#   WARMUP        seconds of warm-up per scenario, not counted (1)
#   TTFR_RUNS     starts measured for time to first response (7)
#   AGENT_PORT, BASELINE_PORT, TTFR_PORT                 (38480, 38481, 38482)
#   REDIS         1: also measure the secure call with the Redis state store
#                 (a second agent with SWML_STATE_URL, on a redis-server this
#                 script starts on loopback); 0: skip it          (1)
#   REDIS_PORT, AGENT_REDIS_PORT                         (38483, 38484)
#   RESULTS_DIR   where raw results and the table go     (a new temp dir)
#   AGENT_LOG     where the agent's stderr goes: its default JSON log has one
#                 audit line per request (hundreds of MiB per run), so it is
#                 written to /dev/null unless a file is named (/dev/null)
#
# Prints one markdown table: scenario, connections, requests/s, p50, p99,
# errors (connection errors, timeouts and unexpected statuses), the ratio to
# the baseline at the same connections and workers, and the performance
# targets; then how the secure call with the Redis store compares with the
# in-process store, resident memory and time to first response. Loopback
# only; every server started here (redis-server included) is stopped on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=$ROOT/bench
DURATION=${DURATION:-5}
REPS=${REPS:-3}
CONNECTIONS=${CONNECTIONS:-"16 64"}
WORKER_MODES=${WORKER_MODES:-"default 1"}
THREADS=${THREADS:-2}
PIN=${PIN:-1}
WARMUP=${WARMUP:-1}
TTFR_RUNS=${TTFR_RUNS:-7}
AGENT_PORT=${AGENT_PORT:-38480}
BASELINE_PORT=${BASELINE_PORT:-38481}
TTFR_PORT=${TTFR_PORT:-38482}
REDIS=${REDIS:-1}
REDIS_PORT=${REDIS_PORT:-38483}
AGENT_REDIS_PORT=${AGENT_REDIS_PORT:-38484}
RESULTS_DIR=${RESULTS_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/agent-load.XXXXXX")}
AGENT_LOG=${AGENT_LOG:-/dev/null}
mkdir -p "$RESULTS_DIR"

say() { printf '%s\n' "$*" >&2; }
die() { say "load.sh: $*"; exit 1; }

# --- tools --------------------------------------------------------------------
command -v cargo >/dev/null || die "cargo is required"
command -v python3 >/dev/null || die "python3 is required"
if ! command -v wrk >/dev/null; then
  say "installing wrk (apt-get)"
  SUDO=
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update >&2 && $SUDO apt-get install -y wrk >&2
fi
HAVE_TASKSET=0
command -v taskset >/dev/null && HAVE_TASKSET=1
# The Redis store needs redis-server 6.2 or later (GETEX); without it the
# Redis scenario is left out, and the table says so.
if [ "$REDIS" = 1 ]; then
  if ! command -v redis-server >/dev/null; then
    say "redis-server not found: the secure call with the Redis store is SKIPPED (install redis-server 6.2+, or REDIS=0 to silence this)"
    REDIS=0
  else
    redis_version=$(redis-server --version | sed -n 's/.* v=\([0-9]*\.[0-9]*\).*/\1/p')
    if ! python3 -c 'import sys; a, b = sys.argv[1].split("."); sys.exit(0 if (int(a), int(b)) >= (6, 2) else 1)' "${redis_version:-0.0}"; then
      say "redis-server $redis_version is older than 6.2: the secure call with the Redis store is SKIPPED"
      REDIS=0
    fi
  fi
fi

say "building release binaries"
(cd "$ROOT" && cargo build --release -p bench-agent -p bench-baseline >&2)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET_DIR in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
AGENT_BIN=$TARGET_DIR/release/bench-agent
BASELINE_BIN=$TARGET_DIR/release/bench-baseline
[ -x "$AGENT_BIN" ] && [ -x "$BASELINE_BIN" ] || die "release binaries not found in $TARGET_DIR/release"

# --- fixed test configuration (loopback only) ----------------------------------
# Only the variables set here reach the servers' configuration.
unset SWML_WORKERS BASELINE_WORKERS AGENT_ENV AGENT_EMERGENCY_MODE SWML_PROXY_URL_BASE \
  SIGNALWIRE_SWAIG_SECRET_PREVIOUS SIGNALWIRE_SWAIG_TOKEN_TTL SWML_MAX_REQUEST_SIZE \
  SWML_TOOL_TIMEOUT_SECS SIGNALWIRE_SIGNING_KEY SWML_HTTP_RATE_LIMIT SWML_SSL_ENABLED \
  SWML_SSL_CERT_PATH SWML_SSL_KEY_PATH SWML_DOMAIN SWML_ALLOWED_HOSTS SWML_CORS_ORIGINS \
  SWML_TRUST_PROXY_HEADERS AGENT_LOG_FORMAT RUST_LOG SWML_STATE_URL SWML_STATE_TIMEOUT_MS \
  SWML_STATE_FAILURE
export HOST=127.0.0.1
# Every SWAIG request comes from the same caller; the per-caller limit stays on
# the request path (its bookkeeping is measured) but never refuses.
export SWML_RATE_LIMIT=1000000000/sec
export SWML_BASIC_AUTH_USER=bench
export SWML_BASIC_AUTH_PASSWORD=load-bench-password-0123456789
export SIGNALWIRE_SWAIG_SECRET=load-bench-swaig-secret-0123456789abcdef
AUTH="Basic $(printf '%s:%s' "$SWML_BASIC_AUTH_USER" "$SWML_BASIC_AUTH_PASSWORD" | base64 | tr -d '\n')"
BAD_AUTH="Basic $(printf '%s:%s' "$SWML_BASIC_AUTH_USER" "wrong-password-0123456789" | base64 | tr -d '\n')"
SWML_BODY=$BENCH/bodies/swml_request.json
SWAIG_BODY=$BENCH/bodies/swaig_get_balance.json
SECURE_BODY=$BENCH/bodies/swaig_transfer_funds.json

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORTS=("$AGENT_PORT" "$BASELINE_PORT" "$TTFR_PORT")
[ "$REDIS" = 1 ] && PORTS+=("$REDIS_PORT" "$AGENT_REDIS_PORT")
for p in "${PORTS[@]}"; do
  port_busy "$p" && die "port $p is in use (set AGENT_PORT / BASELINE_PORT / TTFR_PORT / REDIS_PORT / AGENT_REDIS_PORT)"
done

PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RESULTS=$RESULTS_DIR/results.tsv
META=$RESULTS_DIR/meta.txt
: >"$RESULTS"
: >"$META"

# --- time to first response ------------------------------------------------------
say "time to first response: $TTFR_RUNS starts of each server"
echo "ttfr=$(python3 "$BENCH/bench.py" ttfr "$TTFR_RUNS" "$TTFR_PORT" "$AUTH" "$SWML_BODY" "$AGENT_BIN")" >>"$META"
echo "ttfr_runs=$TTFR_RUNS" >>"$META"
echo "ttfr_baseline=$(python3 "$BENCH/bench.py" ttfr "$TTFR_RUNS" "$TTFR_PORT" "$AUTH" "$SWML_BODY" "$BASELINE_BIN")" >>"$META"

# --- scenarios --------------------------------------------------------------------
# name -> port path auth body expected-status body-needle
TOKEN=
BAD_TOKEN=
scenario() {
  case $1 in
    baseline) echo "$BASELINE_PORT|/|$AUTH|$SWML_BODY|200|\"status\":\"ok\"" ;;
    swml) echo "$AGENT_PORT|/|$AUTH|$SWML_BODY|200|__token=" ;;
    swaig) echo "$AGENT_PORT|/swaig/|$AUTH|$SWAIG_BODY|200|ending in 0001" ;;
    secure) echo "$AGENT_PORT|/swaig/?__token=$TOKEN|$AUTH|$SECURE_BODY|200|Transferred 125.50 dollars" ;;
    # The same request to the agent on the Redis store: same secret, same
    # agent, so the token minted by the other agent is valid here too.
    secure_redis) echo "$AGENT_REDIS_PORT|/swaig/?__token=$TOKEN|$AUTH|$SECURE_BODY|200|Transferred 125.50 dollars" ;;
    badauth) echo "$AGENT_PORT|/|$BAD_AUTH|$SWML_BODY|401|unauthorized" ;;
    badtoken) echo "$AGENT_PORT|/swaig/?__token=$BAD_TOKEN|$AUTH|$SECURE_BODY|403|forbidden" ;;
  esac
}
SCENARIOS="baseline swml swaig secure badauth badtoken"
[ "$REDIS" = 1 ] && SCENARIOS="$SCENARIOS secure_redis"

# run_wrk SCENARIO CONNS SECONDS: prints wrk's result line (JSON)
run_wrk() {
  local port path auth body _status _needle threads=$THREADS
  IFS='|' read -r port path auth body _status _needle <<<"$(scenario "$1")"
  [ "$threads" -gt "$2" ] && threads=$2
  [ -n "$WRK_CPUS" ] && threads=1
  local out
  out=$(WRK_PATH=$path WRK_AUTH=$auth WRK_BODY_FILE=$body \
    $WRK_PREFIX wrk -t"$threads" -c"$2" -d"$3"s --timeout 2s -s "$BENCH/wrk/post.lua" \
    "http://127.0.0.1:$port/") || die "wrk failed for $1"
  grep '^WRK_RESULT ' <<<"$out" | cut -d' ' -f2- || die "no result from wrk for $1: $out"
}

check_scenario() {
  local port path auth body status needle
  IFS='|' read -r port path auth body status needle <<<"$(scenario "$1")"
  python3 "$BENCH/bench.py" check "$port" "$path" "$auth" "$body" "$status" "$needle" ||
    die "scenario $1 does not answer as expected"
}

start() { # start LOGFILE CPUS VAR=VALUE... BINARY  (sets STARTED_PID)
  local log=$1 cpus=$2
  shift 2
  local prefix=()
  [ -n "$cpus" ] && prefix=(taskset -c "$cpus")
  env "$@" "${prefix[@]}" >"$log" 2>&1 &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
}

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

MAX_CONNS=$(tr ' ' '\n' <<<"$CONNECTIONS" | sort -n | tail -1)

# --- the Redis store (one server for the whole run, not pinned) -----------------
redis_answers() { # PING on a fresh connection
  local reply
  (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT" && printf 'PING\r\n' >&3 && IFS= read -r -t 1 reply <&3 &&
    [ "${reply%$'\r'}" = "+PONG" ]) 2>/dev/null
}
if [ "$REDIS" = 1 ]; then
  say "starting redis-server on 127.0.0.1:$REDIS_PORT (nothing on disk)"
  start "$RESULTS_DIR/redis.log" "" redis-server --port "$REDIS_PORT" --bind 127.0.0.1 \
    --save "" --appendonly no --daemonize no
  for _ in $(seq 1 100); do redis_answers && break; sleep 0.05; done
  redis_answers || die "redis-server did not start (see $RESULTS_DIR/redis.log)"
  echo "redis=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p') on loopback, unpinned, no persistence" >>"$META"
fi

for mode in $WORKER_MODES; do
  SERVER_CPUS=
  WRK_CPUS=
  WRK_PREFIX=
  if [ "$mode" = 1 ] && [ "$PIN" = 1 ] && [ "$HAVE_TASKSET" = 1 ] && [ "$(nproc)" -ge 2 ]; then
    SERVER_CPUS=0
    WRK_CPUS=1
    WRK_PREFIX="taskset -c $WRK_CPUS"
  fi
  worker_env=()
  if [ "$mode" != default ]; then
    worker_env=(SWML_WORKERS="$mode" BASELINE_WORKERS="$mode")
  fi
  say "== workers: $mode${SERVER_CPUS:+ (servers on CPU $SERVER_CPUS, wrk on CPU $WRK_CPUS)}"
  echo "busy_before $mode-worker runs=$(python3 "$BENCH/bench.py" busy 1)" >>"$META"
  start "$RESULTS_DIR/baseline-$mode.log" "$SERVER_CPUS" "${worker_env[@]}" PORT="$BASELINE_PORT" "$BASELINE_BIN"
  BASELINE_PID=$STARTED_PID
  start "$AGENT_LOG" "$SERVER_CPUS" "${worker_env[@]}" PORT="$AGENT_PORT" "$AGENT_BIN"
  AGENT_PID=$STARTED_PID
  AGENT_REDIS_PID=
  if [ "$REDIS" = 1 ]; then
    start "$AGENT_LOG" "$SERVER_CPUS" "${worker_env[@]}" PORT="$AGENT_REDIS_PORT" \
      SWML_STATE_URL="redis://127.0.0.1:$REDIS_PORT/0" "$AGENT_BIN"
    AGENT_REDIS_PID=$STARTED_PID
  fi
  python3 "$BENCH/bench.py" wait "$BASELINE_PORT" / "$AUTH" "$SWML_BODY" 10 || die "baseline did not start (see $RESULTS_DIR/baseline-$mode.log)"
  python3 "$BENCH/bench.py" wait "$AGENT_PORT" / "$AUTH" "$SWML_BODY" 10 || die "agent did not start (run again with AGENT_LOG=agent.log to see why)"
  if [ -n "$AGENT_REDIS_PID" ]; then
    python3 "$BENCH/bench.py" wait "$AGENT_REDIS_PORT" / "$AUTH" "$SWML_BODY" 10 || die "agent on the Redis store did not start (run again with AGENT_LOG=agent.log to see why)"
  fi
  echo "rss_agent, $mode-worker run, idle after start=$(python3 "$BENCH/bench.py" rss "$AGENT_PID")" >>"$META"

  # A valid token for transfer_funds, from the SWML document of the call the
  # SWAIG bodies name; a bad one differs in one character of its signature.
  curl -sS -f -X POST -H "Authorization: $AUTH" -H 'Content-Type: application/json' \
    --data-binary "@$SWML_BODY" "http://127.0.0.1:$AGENT_PORT/" >"$RESULTS_DIR/swml.json" ||
    die "could not fetch the SWML document"
  TOKEN=$(python3 "$BENCH/bench.py" token "$RESULTS_DIR/swml.json" transfer_funds)
  BAD_TOKEN=$(python3 "$BENCH/bench.py" tamper "$TOKEN")

  for s in $SCENARIOS; do check_scenario "$s"; done
  for s in $SCENARIOS; do run_wrk "$s" "$MAX_CONNS" "$WARMUP" >/dev/null; done

  for rep in $(seq 1 "$REPS"); do
    for conns in $CONNECTIONS; do
      for s in $SCENARIOS; do
        result=$(run_wrk "$s" "$conns" "$DURATION")
        printf '%s\t%s\t%s\t%s\t%s\n' "$mode" "$conns" "$s" "$rep" "$result" >>"$RESULTS"
        say "   rep $rep  c=$conns  $s  $result"
      done
    done
  done

  echo "rss_agent, $mode-worker run, after the load runs=$(python3 "$BENCH/bench.py" rss "$AGENT_PID")" >>"$META"
  echo "rss_baseline, $mode-worker run, after the load runs=$(python3 "$BENCH/bench.py" rss "$BASELINE_PID")" >>"$META"
  stop "$AGENT_PID"
  [ -n "$AGENT_REDIS_PID" ] && stop "$AGENT_REDIS_PID"
  stop "$BASELINE_PID"
done

echo "busy_at the end=$(python3 "$BENCH/bench.py" busy 1)" >>"$META"
COMMIT=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "not a git checkout")
echo "settings=commit $COMMIT, wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), $DURATION s runs x $REPS (median), ${THREADS} wrk threads (1 when pinned), connections: $CONNECTIONS, $(nproc) CPUs shared by wrk and servers unless pinned, loopback; agent log (default JSON audit lines) to $AGENT_LOG" >>"$META"
python3 "$BENCH/bench.py" report "$RESULTS" "$META" | tee "$RESULTS_DIR/table.md"
say "raw results and logs: $RESULTS_DIR"
