"""Latency of the Linked Data pages, per page type: p50 / p99 / max over N requests each, over real HTTP.

    .venv/bin/python benchmarks/pages.py                       # serve dist/latest in-process, measure it
    .venv/bin/python benchmarks/pages.py --dist /tmp/dist -n 200
    .venv/bin/python benchmarks/pages.py --url http://127.0.0.1:8080   # a running `twingraph serve`

Requests go one after another on one keep-alive connection, after one warm-up round (the first
request of an app builds its label index). Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import dataclasses
import http.client
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

# (page type, path, extra headers)
PAGES: list[tuple[str, str, dict[str, str]]] = [
    ("home", "/", {}),
    ("search", "/search?q=Amiens", {}),
    ("partnership (HTML)", "/doc/partnership/dortmund-amiens", {}),
    ("city with map (HTML)", "/doc/city/dortmund", {}),
    ("person (HTML)", "/doc/person/maurice-vast", {}),
    ("German page", "/doc/partnership/dortmund-amiens", {"Accept-Language": "de"}),
    ("list of partnerships", "/list/partnership?sort=start", {}),
    ("list of cities", "/list/city", {}),
    ("overview map", "/map", {}),
    ("ontology (HTML)", "/ontology", {}),
    ("Turtle (conneg)", "/doc/city/amiens", {"Accept": "text/turtle"}),
    ("JSON-LD (suffix)", "/doc/partnership/dortmund-amiens.jsonld", {}),
    ("303 /id/", "/id/city/amiens", {}),
    ("304 revalidation", "/doc/partnership/dortmund-amiens", {"If-None-Match": "*"}),
    ("404 with suggestions", "/doc/city/amien", {}),
]


@contextmanager
def local_server(dist: Path | None) -> Iterator[str]:
    """Serve a release in this process (werkzeug, threaded) on a free port of 127.0.0.1."""
    import logging

    from werkzeug.serving import make_server

    from twingraph.config import load_settings
    from twingraph.web import create_app

    settings = load_settings()
    if dist is not None:
        settings = dataclasses.replace(settings, dist_dir=dist)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log between the figures
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def measure(base: str, rounds: int) -> list[tuple[str, int, list[float], int]]:
    """Time every page ``rounds`` times; return (type, status, milliseconds, bytes)."""
    url = urlparse(base)
    if url.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("only a server on this machine is measured")
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
    results = []
    for name, path, headers in PAGES:
        timings: list[float] = []
        status = size = 0
        for i in range(rounds + 1):
            start = time.perf_counter()
            conn.request("GET", path, headers={"Accept": "text/html", **headers})
            response = conn.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - start) * 1000
            if i:  # the first is the warm-up
                timings.append(elapsed)
            status, size = response.status, len(body)
        results.append((name, status, timings, size))
    conn.close()
    return results


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def main() -> None:
    """Parse arguments, measure, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="measure a running server instead of serving one here")
    parser.add_argument(
        "--dist", type=Path, help="dist folder whose latest release to serve (default: settings)"
    )
    parser.add_argument("-n", "--rounds", type=int, default=100, help="requests per page type (default 100)")
    args = parser.parse_args()
    if args.url:
        rows = measure(args.url, args.rounds)
    else:
        with local_server(args.dist) as base:
            rows = measure(base, args.rounds)
    print(f"{'page type':<24} {'status':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'KiB':>7}")
    for name, status, timings, size in rows:
        print(
            f"{name:<24} {status:>6} {statistics.median(timings):>8.1f} {percentile(timings, 0.99):>8.1f}"
            f" {max(timings):>8.1f} {size / 1024:>7.1f}"
        )


if __name__ == "__main__":
    main()
