"""The long fuzz run (`make fuzz`): schemathesis from /openapi.json, then hostile raw HTTP, against the
real server (`twingraph serve`) on 127.0.0.1. Prints how many requests were fuzzed and how many 5xx
came back (the rule: none but 503 with Retry-After), and whether any worker died. Exit 1 otherwise.

    .venv/bin/python fuzz/run.py                       # serves dist/latest
    .venv/bin/python fuzz/run.py --dist /tmp/dist --examples 300 --hostile 1000
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from hostile import Tally, record, run

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(dist: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINGRAPH_")}
    # One client sends everything: no rate limit; a short time limit keeps runaway queries cheap.
    env.update(
        TWINGRAPH_DIST_DIR=str(dist),
        TWINGRAPH_RATE_LIMIT="1000000000",
        TWINGRAPH_CLIENT_QUERIES="1000000",
        TWINGRAPH_CLIENT_QUERY_SECONDS="1000000000",
        TWINGRAPH_CLIENT_SLOW_QUERIES="1000000",
        TWINGRAPH_QUERY_TIMEOUT="3",
    )
    command = [str(BIN / "twingraph"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"]
    process = subprocess.Popen(
        command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"twingraph serve exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    sys.exit("twingraph serve did not answer within 120 s")


def schemathesis(port: int, examples: int, work: Path) -> Tally:
    """Run schemathesis (positive and negative data, every phase); the statuses it received."""
    har = work / "schemathesis.har"
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"http://127.0.0.1:{port}/openapi.json",
        "--max-examples",
        str(examples),
        "--checks",
        "not_a_server_error,status_code_conformance,content_type_conformance",
        "--request-timeout",
        "30",
        "--report",
        "har",
        "--report-har-path",
        str(har),
        "--generation-database",
        "none",
    ]
    done = subprocess.run(command, cwd=work, capture_output=True, text=True)
    summary = [line for line in done.stdout.splitlines() if line.strip()][-12:]
    print("\n".join(summary))
    if done.returncode != 0:
        print(done.stdout[-6000:])
    tally = Tally()
    for entry in json.loads(har.read_text())["log"]["entries"]:
        response = entry["response"]
        headers = {h["name"].lower(): h["value"] for h in response["headers"]}
        body = response.get("content", {}).get("text", "").encode()
        what = f"{entry['request']['method']} {entry['request']['url'][:150]}"
        record(tally, what, (response["status"], headers, body))
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="release folder (default: dist)")
    parser.add_argument("--examples", type=int, default=400, help="schemathesis examples per operation")
    parser.add_argument(
        "--hostile", type=int, default=2000, help="hypothesis examples per hostile family (4)"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="twingraph-fuzz-"))
    port = free_port()
    log = work / "server.log"
    server = start_server(args.dist, port, log)
    started = time.monotonic()
    try:
        print(f"fuzzing http://127.0.0.1:{port} (server log: {log})", flush=True)
        described = schemathesis(port, args.examples, work)
        tally = Tally()
        run(port, args.hostile, tally)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as health:
            healthy = health.status == 200
    finally:
        server.terminate()
        server.wait(timeout=60)
    text = log.read_text(errors="replace")
    restarted = text.count("Spawning worker") - 2
    statuses = described.statuses + tally.statuses
    fuzzed = described.requests + tally.requests
    five = sum(n for s, n in statuses.items() if s >= 500)
    unintended = len(described.unintended_5xx) + len(tally.unintended_5xx)
    silent = described.silent_4xx + tally.silent_4xx
    print(
        f"\nrequests fuzzed: {fuzzed} (schemathesis {described.requests}, hostile raw HTTP {tally.requests}) "
        f"in {time.monotonic() - started:.0f} s"
    )
    print("statuses: " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print(
        f"5xx: {five} ({five - unintended} of them 503 with Retry-After, the intended answer to a stopped "
        f"query); 5xx not allowed: {unintended}"
    )
    print(
        f"4xx from the app without a message: {len(silent)}; "
        f"connections closed without an answer: {described.no_answer + tally.no_answer}"
    )
    print(f"workers restarted: {restarted}; healthy after: {healthy}")
    for line in described.unintended_5xx[:20] + tally.unintended_5xx[:20] + silent[:20]:
        print("  " + line)
    if unintended or silent or restarted or not healthy:
        sys.exit(1)


if __name__ == "__main__":
    main()
