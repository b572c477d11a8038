"""Latency of every example query over real HTTP on /sparql, embedded backend beside remote backend.

    .venv/bin/python benchmarks/sparql_examples.py               # dist/latest (run `twingraph build` first)
    .venv/bin/python benchmarks/sparql_examples.py --dist /tmp/dist -n 50

Both backends serve the same release from an app in this process on 127.0.0.1: the embedded one
(Oxigraph in query worker processes), and the remote one on an `oxigraph serve` started here and
loaded with `load_remote`. The result cache is switched off (budget of one byte) so that every
request runs the query; a last column shows a repeated request with the cache on. Requests go one
after another on a keep-alive connection after one warm-up round. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.servers import serving  # noqa: E402
from support.sparql import close_store, start_remote  # noqa: E402
from twingraph.config import Settings, load_settings  # noqa: E402
from twingraph.sparql.examples import Example, load_examples  # noqa: E402
from twingraph.web import create_app  # noqa: E402


def accept_for(example: Example) -> str:
    return "text/turtle" if example.form in ("CONSTRUCT", "DESCRIBE") else "application/sparql-results+json"


def measure(base_url: str, example: Example, runs: int) -> list[float]:
    """Milliseconds per request, ``runs`` requests after one warm-up."""
    url = urlparse(base_url)
    connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)
    path = f"{url.path}?{urlencode({'query': example.text})}"
    headers = {"Accept": accept_for(example)}
    times = []
    for i in range(runs + 1):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"{example.name}: {response.status} {body[:200]!r}")
        if i:
            times.append(elapsed)
    connection.close()
    return times


def run(settings: Settings, runs: int) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log lines between the figures
    uncached = dataclasses.replace(settings, cache_max_bytes=1, rate_limit=1_000_000)
    cached = dataclasses.replace(settings, rate_limit=1_000_000)
    examples = load_examples()
    table: dict[str, dict[str, str]] = {e.name: {} for e in examples}
    with tempfile.TemporaryDirectory() as tmp:
        server, remote = start_remote(uncached, Path(tmp) / "oxigraph", timeout_s=int(settings.query_timeout))
        try:
            for backend, chosen in (("embedded", uncached), ("remote", remote), ("cached", cached)):
                app = create_app(chosen)
                try:
                    with serving(app) as base:
                        for example in examples:
                            times = measure(f"{base}/sparql", example, runs)
                            p50 = statistics.median(times)
                            table[example.name][backend] = f"{p50:7.1f} / {max(times):7.1f}"
                finally:
                    close_store(app)
        finally:
            server.stop()
    print(f"ms per request, p50 / max over {runs} runs (cached: embedded with the result cache on)\n")
    head = ("example", "form", "embedded", "remote (oxigraph serve)", "cached")
    print(f"| {head[0]:<24} | {head[1]:<9} | {head[2]:>17} | {head[3]:>23} | {head[4]:>17} |")
    print(f"|{'-' * 26}|{'-' * 11}|{'-' * 19}|{'-' * 25}|{'-' * 19}|")
    for example in examples:
        row = table[example.name]
        print(
            f"| {example.name:<24} | {example.form:<9} | {row['embedded']:>17} | {row['remote']:>23} "
            f"| {row['cached']:>17} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--dist", type=Path, default=None, help="dist folder holding the release (default: dist/)"
    )
    parser.add_argument("-n", type=int, default=30, help="requests per example and backend")
    args = parser.parse_args()
    overrides = {"dist_dir": args.dist} if args.dist else {}
    run(load_settings(overrides), args.n)


if __name__ == "__main__":
    main()
