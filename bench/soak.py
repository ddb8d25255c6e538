#!/usr/bin/env python3
"""Helpers for bench/soak.sh (standard library only).

    soak.py slow PORT SECONDS CLIENTS AUTH LIMIT_S
        keep CLIENTS connections that send part of a request's headers and
        stall, for SECONDS; each must be closed by the server within LIMIT_S
        seconds (its client header timeout). Prints one JSON line of counts.
    soak.py report SAMPLES_TSV WRK_TSV SLOW_JSON IDLE_TXT WINDOW_S WARMUP_S FD_SLACK ALIVE
        prints the samples, the traffic table and the verdict; exits 1 when
        the verdict is FAIL
"""

import json
import socket
import sys
import threading
import time


def cmd_slow(port, seconds, clients, auth, limit_s):
    port, limit_s = int(port), float(limit_s)
    deadline = time.monotonic() + float(seconds)
    counts = {"clients": 0, "closed_in_time": 0, "closed_late": 0, "left_open": 0,
              "connect_errors": 0, "answered_408": 0, "slowest_close_s": 0.0}
    lock = threading.Lock()
    # Headers cut off in the middle of a line: the server cannot start
    # on the request and must time the connection out.
    partial = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
               f"Authorization: {auth}\r\nContent-Type: appl").encode()

    def one_client():
        # No new client that could outlive the run.
        while time.monotonic() + limit_s + 2 < deadline:
            start = time.monotonic()
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=limit_s + 2)
            except OSError:
                with lock:
                    counts["connect_errors"] += 1
                time.sleep(0.5)
                continue
            outcome, data = "left_open", b""
            with s:
                try:
                    s.sendall(partial)
                    while True:  # read until the server closes
                        chunk = s.recv(4096)
                        if not chunk:
                            break
                        data += chunk
                    outcome = "closed"
                except socket.timeout:
                    outcome = "left_open"
                except OSError:  # reset by the server: closed too
                    outcome = "closed"
            took = time.monotonic() - start
            with lock:
                counts["clients"] += 1
                if outcome == "closed":
                    key = "closed_in_time" if took <= limit_s else "closed_late"
                    counts[key] += 1
                    counts["slowest_close_s"] = round(max(counts["slowest_close_s"], took), 2)
                else:
                    counts["left_open"] += 1
                if data.startswith(b"HTTP/1.1 408"):
                    counts["answered_408"] += 1

    workers = [threading.Thread(target=one_client) for _ in range(int(clients))]
    for w in workers:
        w.start()
        time.sleep(0.2)  # staggered, so closes are spread over time
    for w in workers:
        w.join()
    print(json.dumps(counts))
    return 0


def spread(values):
    return max(values) - min(values) if values else 0


def cmd_report(samples_tsv, wrk_tsv, slow_json, idle_txt, window_s, warmup_s, fd_slack, alive):
    window_s, warmup_s, fd_slack = float(window_s), float(warmup_s), int(fd_slack)
    samples = []  # (t, rss_kib, fds)
    for line in open(samples_tsv):
        t, rss, fds = line.split()
        samples.append((float(t), int(rss), int(fds)))
    if not samples:
        print("no samples were taken")
        return 1
    end = samples[-1][0]
    window = [s for s in samples if s[0] >= max(end - window_s, warmup_s)]

    # "before RSS FDS" (idle, before the traffic) and "after RSS FDS" (idle
    # again, 2 s after it stopped; missing when the agent died).
    idle = {}
    for line in open(idle_txt):
        name, rss, fds = line.split()
        idle[name] = (int(rss), int(fds))

    print("\n| t (s) | VmRSS (MiB) | open fds |")
    print("| ---: | ---: | ---: |")
    print(f"| idle, before the traffic | {idle['before'][0] / 1024:.1f} | {idle['before'][1]} |")
    for t, rss, fds in samples:
        mark = "" if (t, rss, fds) in window else " (not judged)"
        print(f"| {t:.0f}{mark} | {rss / 1024:.1f} | {fds} |")
    if "after" in idle:
        print(f"| idle, 2 s after the traffic | {idle['after'][0] / 1024:.1f} | {idle['after'][1]} |")

    print("\n| traffic | expected | requests | as expected | unexpected | socket errors | timeouts | statuses |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    unexpected_total = 0
    kinds = 0
    for line in open(wrk_tsv):
        kind, expect, blob = line.rstrip("\n").split("\t", 2)
        kinds += 1
        if not blob.startswith("{"):
            print(f"| {kind} | {expect} | - | - | - | - | - | wrk gave no result: {blob} |")
            unexpected_total += 1
            continue
        r = json.loads(blob)
        sockets = r["connect"] + r["read"] + r["write"]
        unexpected_total += r["unexpected"] + sockets + r["timeout"]
        statuses = " ".join(f"{k}:{v}" for k, v in sorted(r["statuses"].items()))
        print(f"| {kind} | {expect} | {r['requests']} | {r['expected']} | {r['unexpected']} "
              f"| {sockets} | {r['timeout']} | {statuses} |")
    slow = json.loads(open(slow_json).read() or "{}")
    slow_bad = slow.get("closed_late", 1) + slow.get("left_open", 1) + slow.get("connect_errors", 1)
    print(f"| slow clients (headers, then stall) | closed by the server in time | "
          f"{slow.get('clients', 0)} | {slow.get('closed_in_time', 0)} | "
          f"{slow.get('closed_late', 0) + slow.get('left_open', 0)} | "
          f"{slow.get('connect_errors', 0)} | - | 408: {slow.get('answered_408', 0)}, "
          f"slowest close {slow.get('slowest_close_s', 0)} s |")

    rss = [s[1] for s in window]
    fds = [s[2] for s in window]
    rss_allowed = max(0.10 * min(rss), 2048)  # KiB: 10% or 2 MiB, whichever is larger
    rss_flat = spread(rss) <= rss_allowed
    fds_flat = spread(fds) <= fd_slack
    span = f"{window[0][0]:.0f}-{window[-1][0]:.0f} s, {len(window)} samples"
    checks = [
        (rss_flat, f"memory flat over {span}: VmRSS {min(rss) / 1024:.1f} to {max(rss) / 1024:.1f} MiB, "
                   f"spread {spread(rss) / 1024:.1f} MiB (allowed {rss_allowed / 1024:.1f})"),
        (fds_flat, f"descriptors flat over {span}: {min(fds)} to {max(fds)}, spread "
                   f"{spread(fds)} (allowed {fd_slack})"),
        ("after" in idle and idle["after"][1] <= idle["before"][1] + 2,
         f"descriptors back to idle after the traffic: {idle['before'][1]} before, "
         f"{idle['after'][1] if 'after' in idle else '-'} after (allowed 2 more)"),
        (unexpected_total == 0, f"unexpected answers, socket errors and timeouts over {kinds} "
                                f"kinds of traffic: {unexpected_total}"),
        (slow_bad == 0, f"slow clients not closed in time: {slow_bad}"),
        (alive == "1", "the agent was still running at the end" if alive == "1"
         else "the agent exited during the run"),
    ]
    print()
    for ok, text in checks:
        print(f"{'ok  ' if ok else 'FAIL'}  {text}")
    verdict = all(ok for ok, _ in checks)
    print(f"\nverdict: {'PASS' if verdict else 'FAIL'}")
    return 0 if verdict else 1


def main(argv):
    commands = {"slow": (cmd_slow, 5), "report": (cmd_report, 8)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    fn, _ = commands[argv[1]]
    return fn(*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
