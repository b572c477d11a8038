"""The abuse scenario of `make load`: abusive clients with runaway queries beside normal clients.

    .venv/bin/python benchmarks/abuse.py                     # 60 s, 3 abusers x 6 connections, 8 normal
    .venv/bin/python benchmarks/abuse.py --duration 20 --abusers 2 --normal 6

The server runs with its default limits (per-client rate, queries in flight, query-time budget, fast
and slow lanes). Every client connects from its own loopback address (the client socket is bound to
it), so the server tells them apart as it would tell real clients apart:

- N abusive clients (127.0.0.2, 127.0.0.3, ...), each on several connections at once, send the runaway
  query ``SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }`` again and again; after a
  refusal they wait 0.2 s (not the ``Retry-After`` they are given) and send it again;
- M normal clients (127.0.1.1, 127.0.1.2, ...) each send one request at a time, with 0.1 s between
  two: pages, RDF fetches, the example queries, new SPARQL lookups (each a query not seen before, so
  that it reaches a query worker) and reconciliation batches.

Printed: the normal clients' p50 / p99 / max latency and their errors (target: p99 under 100 ms and
no error), and the abusers' answers by status and by the share they were told was used up.
Loopback only, bounded in time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import ROOT, free_port, mix, start

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LOOKUP = "SELECT ?p ?o WHERE {{ <{doc}> ?p ?o }} LIMIT {n}"
SHARES = {
    "requests a minute": "rate",
    "queries running, the most": "in flight",
    "query-time budget": "query time",
    "in the slow lane": "slow lane",
    "every place for long queries is taken": "slow lane full (503)",
    "longer than the limit": "time limit (503)",
}


@dataclass
class Tally:
    """What one group of clients saw."""

    latencies: list[float] = field(default_factory=list)
    slowest: list[tuple[float, str, str]] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    shares: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, status: str, text: str = "", what: str = "", kind: str = "") -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.by_kind.setdefault(kind, []).append(seconds)
            self.slowest = sorted([*self.slowest, (seconds, status, what)], reverse=True)[:5]
            if not status.isdigit() or int(status) >= 400:
                self.failed.setdefault(status, what)
            self.statuses[status] += 1
            for marker, share in SHARES.items():
                if marker in text:
                    self.shares[share] += 1


def normal_client(
    url: str, address: str, requests: list[tuple[str, str, dict[str, str], str]], until: float, tally: Tally
) -> None:
    rng = random.Random(address)
    docs = [path for _, path, _, _ in requests if path.startswith("/doc/")] or ["/doc/city/amiens"]
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, base_url=url, timeout=30) as client:
        n = 0
        while time.monotonic() < until:
            n += 1
            if n % 4 == 0:  # a new lookup: no cached answer, it needs a query worker
                iri = url + rng.choice(docs).replace("/doc/", "/id/", 1)
                method, path, headers, body = "GET", "/sparql", {"Accept": "text/csv"}, ""
                params: dict[str, str] | None = {"query": LOOKUP.format(doc=iri, n=n)}
            else:
                method, path, headers, body = rng.choice(requests)
                params = None  # the path carries its own query string (an empty dict would drop it)
            started = time.monotonic()
            try:
                answer = client.request(method, path, params=params, headers=headers, content=body or None)
                what = f"{method} {path} {headers.get('Accept', '')} {answer.text[:120]!r}"
                kind = _kind(path, headers, params)
                tally.add(time.monotonic() - started, str(answer.status_code), answer.text[:300], what, kind)
            except httpx.TransportError as exc:
                tally.add(time.monotonic() - started, type(exc).__name__, "", f"{method} {path}", "failed")
            time.sleep(0.1)


def _kind(path: str, headers: dict[str, str], params: dict[str, str] | None) -> str:
    """What a normal request is, for the figures by kind."""
    if params is not None:
        return "SPARQL lookup (new query)"
    if path.startswith("/sparql"):
        return "example query"
    if path.startswith("/reconcile"):
        return "reconciliation"
    if "html" in headers.get("Accept", ""):
        return "page"
    return "RDF or redirect"


def abusive_client(url: str, address: str, until: float, tally: Tally) -> None:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, base_url=url, timeout=60) as client:
        while time.monotonic() < until:
            started = time.monotonic()
            try:
                answer = client.get("/sparql", params={"query": RUNAWAY}, headers={"Accept": "text/csv"})
                tally.add(time.monotonic() - started, str(answer.status_code), answer.text[:300])
                refused = answer.status_code != 200
            except httpx.TransportError as exc:
                tally.add(time.monotonic() - started, type(exc).__name__)
                refused = True
            if refused:
                time.sleep(0.2)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="release folder (default: dist)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--abusers", type=int, default=3, help="abusive clients (default 3)")
    parser.add_argument("--connections", type=int, default=6, help="connections per abuser (default 6)")
    parser.add_argument("--normal", type=int, default=8, help="normal clients (default 8)")
    parser.add_argument("--warmup", type=float, default=15.0, help="unmeasured seconds first (default 15)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="twingraph-abuse-"))
    port = free_port()
    server = start(args.dist, port, work / "server.log", settings={})  # the default limits
    url = f"http://127.0.0.1:{port}"
    try:
        requests = mix(url)
        print(
            f"abuse: {args.abusers} abusive clients x {args.connections} connections with runaway queries, "
            f"{args.normal} normal clients, {args.duration:g} s on {url}",
            flush=True,
        )
        # Warm-up, not measured: each server worker builds its reconciliation index and fills its
        # caches on first use (seconds on the world graph), as in load.py's warm-up.
        print(f"warming up for {args.warmup:g} s", flush=True)
        warm = Tally()
        warm_until = time.monotonic() + args.warmup
        warmers = [
            threading.Thread(target=normal_client, args=(url, f"127.0.2.{i + 1}", requests, warm_until, warm))
            for i in range(args.normal)
        ]
        for thread in warmers:
            thread.start()
        for thread in warmers:
            thread.join(timeout=args.warmup + 90)
        normal, abusive = Tally(), Tally()
        until = time.monotonic() + args.duration
        threads = [
            threading.Thread(target=normal_client, args=(url, f"127.0.1.{i + 1}", requests, until, normal))
            for i in range(args.normal)
        ]
        threads += [
            threading.Thread(target=abusive_client, args=(url, f"127.0.0.{i + 2}", until, abusive))
            for i in range(args.abusers)
            for _ in range(args.connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.duration + 90)
    finally:
        server.terminate()
        server.wait(timeout=60)
    ms = [s * 1000 for s in normal.latencies]
    errors = sum(n for status, n in normal.statuses.items() if not status.isdigit() or int(status) >= 400)
    print(
        f"normal clients: {len(ms)} requests, p50 {statistics.median(ms):.1f} ms, "
        f"p99 {percentile(ms, 0.99):.1f} ms, max {max(ms):.1f} ms, errors {errors} "
        f"(statuses: {dict(sorted(normal.statuses.items()))})"
    )
    for kind, values in sorted(normal.by_kind.items()):
        kms = [v * 1000 for v in values]
        print(
            f"  {kind}: {len(kms)}, p50 {statistics.median(kms):.1f} ms, p99 {percentile(kms, 0.99):.1f} ms, "
            f"max {max(kms):.1f} ms"
        )
    for status, what in sorted(normal.failed.items()):
        print(f"  error {status}, e.g.: {what[:300]}")
    for seconds, status, what in normal.slowest:
        print(f"  slowest: {seconds * 1000:.0f} ms {status} {what[:200]}")
    refused = sum(n for status, n in abusive.statuses.items() if status == "429")
    print(
        f"abusive clients: {sum(abusive.statuses.values())} requests, 429: {refused}, "
        f"statuses: {dict(sorted(abusive.statuses.items()))}, shares used up: {dict(abusive.shares)}"
    )
    met = errors == 0 and percentile(ms, 0.99) < 100
    print(f"target (normal p99 < 100 ms, no error): {'met' if met else 'missed'}")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
