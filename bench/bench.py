#!/usr/bin/env python3
"""Helpers for bench/load.sh (standard library only).

    bench.py wait PORT PATH AUTH BODY_FILE TIMEOUT_S
        poll until POST PATH answers 200 (exit 1 on timeout)
    bench.py token SWML_FILE FUNCTION
        print the __token of FUNCTION's web_hook_url in a SWML document
    bench.py tamper TOKEN
        print TOKEN with one character of its tag changed (bad signature)
    bench.py check PORT PATH AUTH BODY_FILE STATUS NEEDLE
        one request; exit 1 unless the status is STATUS and the body has NEEDLE
    bench.py ttfr RUNS PORT AUTH BODY_FILE BINARY
        start BINARY RUNS times (environment inherited, PORT set) and print
        the milliseconds from spawn to its first authenticated 200 on POST /
    bench.py rss PID
        print "VmRSS VmHWM" of PID in KiB
    bench.py busy SECONDS
        print how busy all CPUs were over SECONDS, in percent (run it while
        the benchmark's own processes are idle: it measures everyone else)
    bench.py report RESULTS_TSV META_FILE
        print the markdown table of the medians, with ratios and targets
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import time


def http_post(port, path, auth, body, timeout=2.0):
    """One POST on a fresh connection; returns (status, body bytes)."""
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
    ]
    if auth:
        head.append(f"Authorization: {auth}")
    request = ("\r\n".join(head) + "\r\n\r\n").encode() + body
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    data = b"".join(chunks)
    head, _, payload = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, payload


def read(path):
    with open(path, "rb") as f:
        return f.read()


def cmd_wait(port, path, auth, body_file, timeout_s):
    body = read(body_file)
    deadline = time.monotonic() + float(timeout_s)
    while time.monotonic() < deadline:
        try:
            if http_post(int(port), path, auth, body)[0] == 200:
                return 0
        except OSError:
            pass
        time.sleep(0.01)
    return 1


def cmd_token(swml_file, function):
    doc = json.loads(read(swml_file))
    for verb in doc["sections"]["main"]:
        ai = verb.get("ai") if isinstance(verb, dict) else None
        if not ai:
            continue
        for f in ai.get("SWAIG", {}).get("functions", []):
            if f.get("function") == function and "__token=" in f.get("web_hook_url", ""):
                print(f["web_hook_url"].split("__token=", 1)[1])
                return 0
    print(f"no token for {function} in the SWML document", file=sys.stderr)
    return 1


def cmd_tamper(token):
    # A character in the middle of the HMAC tag: the token keeps its shape and
    # fails only at the signature check (the last character would also carry
    # base64 padding bits, making it malformed instead).
    i = len(token) - 10
    print(token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:])
    return 0


def cmd_check(port, path, auth, body_file, status, needle):
    got, body = http_post(int(port), path, auth, read(body_file))
    if got != int(status) or needle.encode() not in body:
        print(
            f"check failed for POST {path.split('?')[0]}: status {got} (want {status}), "
            f"body {body[:200]!r} (want {needle!r})",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_ttfr(runs, port, auth, body_file, binary):
    body = read(body_file)
    env = dict(os.environ, PORT=str(port))
    times = []
    for _ in range(int(runs)):
        start = time.monotonic()
        proc = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            while True:
                if proc.poll() is not None:
                    print(f"{binary} exited with {proc.returncode}", file=sys.stderr)
                    return 1
                if time.monotonic() - start > 10:
                    print("no response within 10 s", file=sys.stderr)
                    return 1
                try:
                    if http_post(int(port), "/", auth, body, timeout=1.0)[0] == 200:
                        times.append((time.monotonic() - start) * 1000.0)
                        break
                except OSError:
                    pass
                time.sleep(0.001)
        finally:
            proc.terminate()
            proc.wait()
    times.sort()
    print(f"{statistics.median(times):.1f} {times[0]:.1f} {times[-1]:.1f}")
    return 0


def cmd_rss(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.split()[0] if value.split() else "0"
    print(fields.get("VmRSS", "0"), fields.get("VmHWM", "0"))
    return 0


def cpu_times():
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values), idle


def cmd_busy(seconds):
    total0, idle0 = cpu_times()
    time.sleep(float(seconds))
    total1, idle1 = cpu_times()
    spent = max(total1 - total0, 1)
    print(f"{100.0 * (spent - (idle1 - idle0)) / spent:.0f}")
    return 0


# scenario id -> (label, kind: ok | refusal | baseline)
SCENARIOS = {
    "baseline": ("baseline: basic auth + 2 KiB JSON", "baseline"),
    "swml": ("SWML render (POST /, call id, 4 tokens minted)", "ok"),
    "swaig": ("SWAIG call (get_balance)", "ok"),
    "secure": ("secure SWAIG call, valid token (transfer_funds)", "ok"),
    "badauth": ("bad credentials (401)", "refusal"),
    "badtoken": ("secure call, bad token (403)", "refusal"),
    # The same request as "secure", to an agent on the Redis store
    # (SWML_STATE_URL): no target of its own, compared with "secure" below.
    "secure_redis": ("secure SWAIG call, valid token, Redis store (transfer_funds)", "store"),
}
TARGET = {"ok": 0.70, "refusal": 0.90}
P99_LIMIT_MS = 5.0


def fmt_ms(us):
    return f"{us / 1000.0:.2f}"


def cmd_report(results_tsv, meta_file):
    # mode conns scenario rep json
    runs = {}
    for line in open(results_tsv):
        mode, conns, scenario, _rep, blob = line.rstrip("\n").split("\t", 4)
        r = json.loads(blob)
        expected_status_errors = r["requests"] if SCENARIOS[scenario][1] == "refusal" else 0
        errors = (r["connect"] + r["read"] + r["write"] + r["timeout"]
                  + abs(r["status"] - expected_status_errors))
        runs.setdefault((mode, int(conns), scenario), []).append({
            "rps": r["requests"] / (r["duration_us"] / 1e6),
            "p50": r["p50_us"],
            "p99": r["p99_us"],
            "errors": errors,
        })
    meta = {}
    if os.path.exists(meta_file):
        for line in open(meta_file):
            key, _, value = line.rstrip("\n").partition("=")
            meta[key] = value

    failures = []
    print("| workers | scenario | conns | req/s | p50 ms | p99 ms | errors | vs baseline | target |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    modes = sorted({k[0] for k in runs}, key=lambda m: (m != "default", m))
    for mode in modes:
        for conns in sorted({k[1] for k in runs if k[0] == mode}):
            base = runs.get((mode, conns, "baseline"))
            base_rps = statistics.median(x["rps"] for x in base) if base else None
            for scenario, (label, kind) in SCENARIOS.items():
                xs = runs.get((mode, conns, scenario))
                if not xs:
                    continue
                rps = statistics.median(x["rps"] for x in xs)
                p50 = statistics.median(x["p50"] for x in xs)
                p99 = statistics.median(x["p99"] for x in xs)
                errors = sum(x["errors"] for x in xs)
                ratio = f"{rps / base_rps:.0%}" if base_rps else "n/a"
                verdicts = []
                if kind in TARGET and base_rps:
                    ok = rps / base_rps >= TARGET[kind]
                    verdicts.append(f"≥{TARGET[kind]:.0%} {'ok' if ok else 'MISS'}")
                    if not ok:
                        failures.append(f"{label} at {conns} conns, workers {mode}: "
                                        f"{rps / base_rps:.0%} of baseline")
                if kind in TARGET and conns == 64:
                    ok = p99 / 1000.0 < P99_LIMIT_MS
                    verdicts.append(f"p99<5ms {'ok' if ok else 'MISS'}")
                    if not ok:
                        failures.append(f"{label} at 64 conns, workers {mode}: "
                                        f"p99 {fmt_ms(p99)} ms")
                if errors:
                    failures.append(f"{label} at {conns} conns, workers {mode}: {errors} errors")
                print(f"| {mode} | {label} | {conns} | {rps:,.0f} | {fmt_ms(p50)} | "
                      f"{fmt_ms(p99)} | {errors} | {ratio} | {', '.join(verdicts)} |")
    print()
    for (mode, conns, scenario), xs in sorted(runs.items()):
        local = runs.get((mode, conns, "secure"))
        if scenario != "secure_redis" or not local:
            continue
        rps = statistics.median(x["rps"] for x in xs)
        p99 = statistics.median(x["p99"] for x in xs)
        local_rps = statistics.median(x["rps"] for x in local)
        local_p99 = statistics.median(x["p99"] for x in local)
        print(f"- secure call, Redis store vs in-process store (workers {mode}, {conns} conns): "
              f"{rps:,.0f} vs {local_rps:,.0f} req/s ({rps / local_rps:.0%}), "
              f"p99 {fmt_ms(p99)} vs {fmt_ms(local_p99)} ms")
    if "redis" in meta:
        print(f"- Redis store: redis-server {meta['redis']}")
    for key in (k for k in meta if k.startswith("rss_")):
        rss, hwm = (int(v) for v in meta[key].split())
        who = key[len("rss_"):]
        line = f"- resident memory, {who}: {rss / 1024:.1f} MiB (peak {hwm / 1024:.1f} MiB)"
        if who.startswith("agent") and "after" in who:
            ok = rss < 12 * 1024
            line += f" — target < 12 MiB: {'ok' if ok else 'MISS'}"
            if not ok:
                failures.append(f"{who}: RSS {rss / 1024:.1f} MiB")
        print(line)
    for key, who in (("ttfr", "agent"), ("ttfr_baseline", "baseline")):
        if key not in meta:
            continue
        med, lo, hi = (float(v) for v in meta[key].split())
        line = (f"- first authenticated 200 on POST / after process spawn, {who} "
                f"({meta.get('ttfr_runs', '?')} starts): median {med:.1f} ms, min {lo:.1f}, max {hi:.1f}")
        if who == "agent":
            ok = med < 20.0
            line += f" — target < 20 ms: {'ok' if ok else 'MISS'}"
            if not ok:
                failures.append(f"time to first response {med:.1f} ms")
        print(line)
    busy = [(k[len("busy_"):], meta[k]) for k in meta if k.startswith("busy_")]
    if busy:
        text = ", ".join(f"{when} {value}%" for when, value in busy)
        print(f"- CPU used by other processes while the benchmark was idle "
              f"(1 s samples, all {os.cpu_count()} CPUs): {text}")
        if any(float(v) > 10 for _, v in busy):
            print("  WARNING: other processes were using the CPUs; absolute numbers and "
                  "ratios are noisier than usual")
    if "settings" in meta:
        print(f"- settings: {meta['settings']}")
    print()
    if failures:
        print("Targets missed:")
        for f in failures:
            print(f"- {f}")
    else:
        print("All targets met.")
    return 0


def main(argv):
    commands = {
        "wait": cmd_wait, "token": cmd_token, "tamper": cmd_tamper,
        "check": cmd_check, "ttfr": cmd_ttfr, "rss": cmd_rss, "busy": cmd_busy,
        "report": cmd_report,
    }
    if len(argv) < 2 or argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[argv[1]](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
