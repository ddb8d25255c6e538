#!/usr/bin/env bash
# Hostile platform strings, measured on the release example: 300 SWAIG calls,
# each with a different 900 KB caller id (a holder of the basic-auth
# credentials could send them). Prints the agent's resident memory before and
# after, and how much its log (audit records included) grew.
#
#   bench/caller_id_flood.sh            # 300 calls
#   CALLS=1000 bench/caller_id_flood.sh
#
# Loopback only; the agent started here is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${CALLS:-300}

cargo build --release --example secure_bank >&2
bin=target/release/examples/secure_bank
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

HOST=127.0.0.1 PORT=$port SWML_WORKERS=2 \
    SWML_BASIC_AUTH_USER=flood SWML_BASIC_AUTH_PASSWORD=flood-password-for-the-bench-0123456789 \
    SIGNALWIRE_SWAIG_SECRET=flood-swaig-secret-for-the-bench-0123456789 \
    "$bin" serve 2>"$log" &
pid=$!

python3 - "$port" "$pid" "$log" "$calls" <<'PY'
import base64, http.client, json, os, sys, time
port, pid, log, calls = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
auth = "Basic " + base64.b64encode(b"flood:flood-password-for-the-bench-0123456789").decode()

def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

deadline = time.time() + 30
while True:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/health"); c.getresponse().read(); break
    except OSError:
        if time.time() > deadline: sys.exit("the agent did not start")
        time.sleep(0.1)

time.sleep(0.5)
rss0, log0 = rss_kib(), os.path.getsize(log)
statuses = {}
for i in range(calls):
    caller = "+1" + str(i).rjust(12, "0") + "5" * (900 * 1024)
    body = json.dumps({"function": "get_balance", "call_id": f"flood-{i}",
                       "caller_id_num": caller,
                       "argument": {"parsed": [{"account": "1000000001"}]}}).encode()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("POST", "/swaig", body, {"Authorization": auth, "Content-Type": "application/json"})
    r = c.getresponse(); r.read(); c.close()
    statuses[r.status] = statuses.get(r.status, 0) + 1
time.sleep(0.5)
rss1, log1 = rss_kib(), os.path.getsize(log)
print(f"calls: {calls}, each with a different 900 KB caller id; statuses: {statuses}")
print(f"resident memory: {rss0/1024:.1f} MiB before, {rss1/1024:.1f} MiB after")
print(f"log growth: {(log1-log0)/1024:.1f} KiB")
PY
