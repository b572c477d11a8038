"""/doc pages: p99 at concurrency 32, HTML and every RDF format, cold and warm, beside the engine's DESCRIBE.

    .venv/bin/python benchmarks/bench_pages.py                  # the world graph, 5 s per cell
    .venv/bin/python benchmarks/bench_pages.py --quick          # smoke: 10k triples, 2 s per cell

``twingraph serve`` (Granian, as shipped) serves the release; wrk cycles through the documents of up
to 2,000 cities and 2,000 partnerships, asking for HTML and each RDF format the pages negotiate
(``Accept``), at concurrency 32:

- *cold*: each request another resource, on a server started with its render cache off
  (``TWINGRAPH_PAGE_CACHE_BYTES=0``), so that every request renders: what a crawler's first visit costs;
- *warm*: the server as shipped, over 401 of those resources, each first asked for 8 times on new
  connections (each server process keeps its own renders, so each had to see each page once);
- *one page again*: the same HTML page, over and over;
- *access log off*: warm HTML and Turtle again on a server started with ``TWINGRAPH_ACCESS_LOG=0``
  (nginx in front logs the requests): what the access log costs.
- *N threads* (``--threads 2,4``): warm HTML and Turtle again on servers started with
  ``TWINGRAPH_THREADS=N`` (8 by default): what fewer threads per process do to the tail and throughput.

Beside each cell's latency, the CPU the server's process tree spent per answered request during it
(``/proc``, user + system): unlike p99 it hardly moves with what else runs on the machine, so it
tells a real cost from a slow moment. ``--rounds N`` measures the warm cells N times, interleaved
(every format once per round), and reports each cell's median p99, with every round's p99 beside it:
on 2 shared cores one 5-second cell's p99 can move by a factor of 2 between runs.

The peer is ``oxigraph serve-read-only`` answering ``DESCRIBE <iri>`` in Turtle for the same resources
beside it: what a bare engine sends for a resource, without the page's labels, sources, map or content
negotiation. Target (issue 17): p99 < 20 ms at c32 from the app alone, HTML and every RDF format, as
served (a page rendered once per release and variant): each warm cell is recorded with
``targets.record`` (``make bench`` runs ``--rounds 3``: the median of three).

Then the deployment of docs/deploy.md: nginx with ``deploy/nginx-site.conf.template`` in front of the
same process, its cache filled by one pass over the warm resources (HTML and Turtle), measured the same way.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import statistics
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import page_hits
import targets
from common import Load, Request, Server

BASE = "https://w3id.org/twingraph/"
CONNECTIONS = 32
WARM_RESOURCES = 401  # an odd count: wrk's picker walks all of them (see common._LUA); 40 with --quick
GOAL_MS = 20.0
# A process missed by all of a page's connections: 1 in 2**16 with 2 processes (hits are cheap: the
# rounds after the first cost a few seconds per format).
FILL_ROUNDS = 16
CACHE_BYTES = 64 * 2**20  # TWINGRAPH_PAGE_CACHE_BYTES as shipped, per process
# HTML and the RDF formats a resource page negotiates (src/twingraph/formats.py), by Accept.
FORMATS = (
    ("HTML", "text/html"),
    ("Turtle", "text/turtle"),
    ("JSON-LD", "application/ld+json"),
    ("N-Triples", "application/n-triples"),
    ("RDF/XML", "application/rdf+xml"),
    ("TriG", "application/trig"),
    ("N-Quads", "application/n-quads"),
)
PEER = "oxigraph DESCRIBE (Turtle)"


def resources(oxigraph: Server, limit: int) -> list[str]:
    """IRIs of up to ``limit`` cities and ``limit`` partnerships under the base IRI, spread evenly (an
    odd count, so that wrk's picker walks all of them)."""
    found: list[str] = []
    for cls in ("City", "Partnership"):
        text = (
            f'SELECT ?r WHERE {{ ?r a <{BASE}ontology#{cls}> FILTER(STRSTARTS(STR(?r), "{BASE}id/")) }} '
            "ORDER BY ?r"
        )
        url = oxigraph.url + "/query?" + urllib.parse.urlencode({"query": text})
        request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=300) as response:
            iris = [row["r"]["value"] for row in json.loads(response.read())["results"]["bindings"]]
        found += iris[:: max(1, len(iris) // limit)][:limit]
    return found if len(found) % 2 else found[:-1]


def fill_cache(proxy: Server, docs: list[str]) -> None:
    """Request every page once in HTML and in Turtle, one after another on one connection."""
    connection = http.client.HTTPConnection(common.LOOPBACK, int(proxy.url.rsplit(":", 1)[1]), timeout=60)
    for accept in ("text/html", "text/turtle"):
        for path in docs:
            connection.request("GET", path, headers={"Accept": accept})
            connection.getresponse().read()
    connection.close()


def fill_processes(server: Server, docs: list[str], accept: str, rounds: int = FILL_ROUNDS) -> int:
    """Ask for every page ``rounds`` times, each on a new connection (8 at a time): each of the server's
    processes keeps its own renders, and a new connection may land on any of them. The bytes of one
    round (what each process keeps of this format, to compare with its render cache's bound)."""

    def ask(path: str) -> int:
        connection = http.client.HTTPConnection(
            common.LOOPBACK, int(server.url.rsplit(":", 1)[1]), timeout=120
        )
        try:
            connection.request("GET", path, headers={"Accept": accept})
            return len(connection.getresponse().read())
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        sizes = list(pool.map(ask, docs * rounds))
    return sum(sizes[: len(docs)])


def doc_path(iri: str) -> str:
    """/doc/<segment>/<slug> of a resource IRI."""
    return "/doc/" + iri[len(BASE + "id/") :]


@dataclass(frozen=True)
class Cell:
    """One cell's figures: wrk's, and the server's CPU per answered request (ms)."""

    load: Load
    cpu_ms: float


def measure(server: Server, accept: str, values: list[str], duration: float) -> Cell:
    """wrk at c32 for ``duration`` seconds, each request another of ``values``; the server idle after."""
    asked = [Request("GET", "@C@", {"Accept": accept})]
    before = server.cpu_seconds()
    load = common.wrk(server.url, asked, CONNECTIONS, duration, True, values)
    spent = server.cpu_seconds() - before
    server.wait_idle()
    return Cell(load, spent * 1000 / load.requests if load.requests else 0.0)


def rounds_of(
    cells: list[tuple[str, Server, str, list[str]]], duration: float, rounds: int
) -> dict[str, list[Cell]]:
    """Each of ``cells`` (name, server, Accept, paths) measured ``rounds`` times, every cell once per
    round, so that a slow moment of the machine falls on one round of a cell, not on all of them."""
    found: dict[str, list[Cell]] = {name: [] for name, *_ in cells}
    for number in range(rounds):
        for name, server, accept, values in cells:
            which = f" (round {number + 1} of {rounds})" if rounds > 1 else ""
            common.say(f"c{CONNECTIONS}: {name}{which} ...")
            found[name].append(measure(server, accept, values, duration))
    return found


def check_pages(server: Server, docs: list[str]) -> None:
    """Every format of a few pages answers 200 before anything is measured."""
    for path in docs[:3]:
        for _, accept in FORMATS:
            request = urllib.request.Request(server.url + path, headers={"Accept": accept})
            with urllib.request.urlopen(request, timeout=60) as response:
                if response.status != 200:
                    raise SystemExit(f"{path} ({accept}) answered {response.status}")


def main() -> None:
    parser = common.arguments(__doc__.splitlines()[0], sizes="world")
    parser.add_argument("--skip-cold", action="store_true", help="leave out the cold cells (cache off)")
    parser.add_argument("--skip-nginx", action="store_true", help="leave out the cells behind nginx")
    parser.add_argument("--skip-cpu", action="store_true", help="leave out the CPU per cache hit in process")
    parser.add_argument(
        "--threads",
        default="",
        help="also the warm cells with these threads per server process (comma-separated; 8 is the setting's "
        "default), each beside the others in every round",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="measure the warm cells this many times, interleaved (median)"
    )
    parser.set_defaults(duration=5.0)
    args = common.settle(parser.parse_args())
    if not common.have_wrk():
        raise SystemExit("wrk is missing: `make sysdeps` installs it (Debian package wrk)")
    rel = common.release(args.work, args.size)
    rows: list[list[object]] = []
    figures: dict[str, Load] = {}
    cpu_ms: dict[str, float] = {}  # the server's CPU per answered request, per row
    rounds = max(1, args.rounds)

    def row(name: str, cells: Cell | list[Cell]) -> None:
        """A table row: one cell, or the rounds of one (mean req/s and CPU, median p50 and p99)."""
        each = cells if isinstance(cells, list) else [cells]
        load = Load(
            rps=statistics.fmean(c.load.rps for c in each),
            p50=statistics.median(c.load.p50 for c in each),
            p99=statistics.median(c.load.p99 for c in each),
            requests=sum(c.load.requests for c in each),
            failed=sum(c.load.failed for c in each),
        )
        figures[name] = load
        cpu = cpu_ms[name] = statistics.fmean(c.cpu_ms for c in each)
        spread = " / ".join(f"{c.load.p99:.1f}" for c in each) if len(each) > 1 else ""
        rows.append([name, CONNECTIONS, load.rps, load.p50, load.p99, load.failed, f"{cpu:.3f}", spread])

    with contextlib.ExitStack() as stack:
        oxigraph = stack.enter_context(common.oxigraph_peer(rel))
        iris = resources(oxigraph, 2000)
        docs = [doc_path(i) for i in iris]
        warm = WARM_RESOURCES // 10 if args.quick else WARM_RESOURCES
        warm_docs = docs[:: max(1, len(docs) // warm)][:warm]  # cities and partnerships
        warm_docs = warm_docs if len(warm_docs) % 2 else warm_docs[:-1]
        describes = ["/query?query=" + urllib.parse.quote(f"DESCRIBE <{i}>", safe="") for i in iris]

        off = {"TWINGRAPH_PAGE_CACHE_BYTES": "0"}
        with contextlib.ExitStack() as cold_stack:
            if not args.skip_cold:
                cold = cold_stack.enter_context(
                    common.twingraph_server(rel, extra_env=off, log_name="twingraph-nocache")
                )
                check_pages(cold, docs)
                common.say(f"{len(iris)} resources; cold (render cache off), warming the processes up ...")
                measure(cold, "text/html", docs[::7], max(1.0, args.duration / 2))
                # A smoke run measures two of the cold cells (one page, one RDF format): the same code.
                for name, accept in FORMATS[:2] if args.quick else FORMATS:
                    common.say(f"c{CONNECTIONS}: /doc {name}, cold ...")
                    row(f"/doc {name}, cold", measure(cold, accept, docs, args.duration))

        ours = stack.enter_context(common.twingraph_server(rel))
        check_pages(ours, docs)
        kept = 0
        for name, accept in FORMATS:
            common.say(f"/doc {name}: {len(warm_docs)} resources, each asked for first ...")
            kept += fill_processes(ours, warm_docs, accept)
            common.say(f"  kept per process: {common.megabytes(kept):.1f} MiB of {CACHE_BYTES >> 20}")
            if kept > CACHE_BYTES:
                raise SystemExit(f"the warm set (to {name}) does not fit the render cache: raise CACHE_BYTES")
        ours.wait_idle()
        # The peer in every round, beside the warm cells it is compared with.
        warm_cells = [(PEER, oxigraph, "text/turtle", describes)]
        warm_cells += [(f"/doc {name}, warm", ours, accept, warm_docs) for name, accept in FORMATS]
        warm_cells.append(("/doc HTML, one page again", ours, "text/html", docs[:1]))
        for name, measured in rounds_of(warm_cells, args.duration, rounds).items():
            row(name, measured)
        # The same warm cells (HTML and Turtle) on servers that differ in one setting each.
        variants = [("access log off", {"TWINGRAPH_ACCESS_LOG": "0"})]
        variants += [(f"{n} threads", {"TWINGRAPH_THREADS": n}) for n in args.threads.split(",") if n.strip()]
        with contextlib.ExitStack() as variant_stack:
            variant_cells = []
            for label, extra in variants:
                log_name = "twingraph-" + label.replace(" ", "-")
                server = variant_stack.enter_context(
                    common.twingraph_server(rel, extra_env=extra, log_name=log_name)
                )
                for _name, accept in FORMATS[:2]:
                    fill_processes(server, warm_docs, accept)
                server.wait_idle()
                variant_cells += [
                    (f"/doc {name}, warm, {label}", server, accept, warm_docs) for name, accept in FORMATS[:2]
                ]
            for name, measured in rounds_of(variant_cells, args.duration, rounds).items():
                row(name, measured)

        if common.have_nginx() and not args.skip_nginx:
            port = int(ours.url.rsplit(":", 1)[1])
            proxy = stack.enter_context(common.nginx_proxy(rel.folder / "nginx", [port]))
            common.say("nginx (deploy template) in front: filling its cache with every page once ...")
            fill_cache(proxy, warm_docs)
            for name, accept in (("HTML", "text/html"), ("Turtle", "text/turtle")):
                common.say(f"c{CONNECTIONS}: /doc {name} via nginx, cache warm ...")
                row(f"/doc {name} via nginx, cache warm", measure(proxy, accept, warm_docs, args.duration))
        else:
            common.say("nginx is not installed (make sysdeps): the cached deployment is left out")

    peer = figures[PEER]
    rows.sort(key=lambda cells: cells[0] != PEER)  # the peer first (stable: the rest as measured)
    median = f", median of {rounds} rounds" if rounds > 1 else ""
    for cells in rows:
        load = figures[str(cells[0])]
        cells += [common.ratio(load.rps, peer.rps), "yes" if load.p99 < GOAL_MS else "no"]
    # The target is the served page: a release never changes, so what was rendered once for it and a
    # variant is kept (the render cache) and a page is rendered once, not per request. The cold cells
    # (every request renders) are in the table below, not among the targets.
    for name, _ in FORMATS:
        key = f"/doc {name}, warm"
        found = figures.get(key)
        if found is None:
            continue
        targets.record(
            args.work,
            f"/doc {name} p99 at c32, app alone, cache warm ({rel.name})",
            f"{found.p99:.1f} ms ({found.rps:,.0f} req/s, {cpu_ms[key]:.3f} ms CPU/request){median}",
            f"{PEER}: {peer.p99:.1f} ms ({peer.rps:,.0f} req/s, {cpu_ms[PEER]:.3f} ms CPU/request)",
            f"< {GOAL_MS:g} ms",
            found.ok and found.p99 < GOAL_MS,
        )
    print(
        f"## Linked Data pages: {rel.name} release, {len(iris)} resources ({len(warm_docs)} warm), "
        f"wrk c{CONNECTIONS}, {args.duration:g} s per cell\n"
    )
    headers = ["request", "connections", "req/s", "p50 ms", "p99 ms", "failed", "server ms CPU/request"]
    headers += ["p99 ms per round", "vs oxigraph DESCRIBE", f"p99 < {GOAL_MS:g} ms"]
    if rounds == 1:
        del headers[7]
        for cells in rows:
            del cells[7]
    print(common.table(headers, rows))
    print(f"\nfailed requests in all runs: {sum(int(str(cells[5])) for cells in rows)}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (on {os.cpu_count()} cores)")
    if not args.skip_cpu:
        pages = 10 if args.quick else page_hits.PAGES
        cpu = page_hits.measure(rel, [d for d in docs if d.startswith("/doc/city/")][:pages])
        title = f"CPU per render-cache hit, in process ({pages} city pages x {page_hits.ROUNDS})"
        print(f"\n## {title}\n")
        print(common.table(page_hits.HEADERS, page_hits.rows(cpu)))


if __name__ == "__main__":
    main()
