"""Server start-up, memory, and the WSGI server choice, beside oxigraph serve-read-only and rdflib-endpoint.

    .venv/bin/python benchmarks/bench_server.py                # 1M generated triples
    .venv/bin/python benchmarks/bench_server.py --quick        # smoke: 10k triples, 2 s per cell

Start-up: seconds from starting ``twingraph serve`` on a built release until ``/health`` answers 200,
cold (the embedded store's database is first bulk-loaded from the release's dump into the cache
folder) and warm (the database of that release is cached: what every restart after the first does).
Peers: ``oxigraph load`` + ``serve-read-only`` (cold), ``serve-read-only`` alone (warm), and
rdflib-endpoint (it parses the graph on every start).

Memory: proportional set size (PSS: shared pages divided among the processes mapping them) of the
server's whole process tree after a warm-up of pages and queries; RSS summed over the tree beside it
(it counts the shared database mapping once per process).

WSGI servers: the same app (``twingraph.web:create_app()``), 2 worker processes each, under gunicorn
sync, gunicorn gthread (8 threads per worker) and Granian (8 blocking threads per worker), driven by
wrk at concurrency 32 with /doc HTML pages (each request another city) and a repeated cached /sparql
lookup.
"""

from __future__ import annotations

import contextlib
import json
import resource
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import targets
from common import Release, Request, Server

BASE = "https://w3id.org/twingraph/"
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/twingraph/id/city/dortmund> ?p ?o }"


def warm_up(server: Server, docs: list[str]) -> None:
    """A few pages and queries, so that the per-release indexes and caches exist before memory is read."""
    for path in [*docs[:20], "/", "/search?q=Amiens", "/sparql?" + urllib.parse.urlencode({"query": LOOKUP})]:
        with contextlib.suppress(OSError):
            urllib.request.urlopen(server.url + path, timeout=120).read()


def city_docs(oxigraph: Server, limit: int = 1001) -> list[str]:
    text = f'SELECT ?c WHERE {{ ?c a <{BASE}ontology#City> FILTER(STRSTARTS(STR(?c), "{BASE}id/")) }}'
    url = oxigraph.url + "/query?" + urllib.parse.urlencode({"query": text})
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        rows = json.loads(response.read())["results"]["bindings"]
    docs = ["/doc/" + row["c"]["value"][len(BASE + "id/") :] for row in rows]
    docs = docs[:: max(1, len(docs) // limit)][:limit]
    return docs if len(docs) % 2 else docs[:-1]


def wsgi_servers(rel: Release, port: int) -> dict[str, list[str]]:
    """Command lines of the WSGI servers compared, 2 workers each, on ``port``."""
    bind = f"{common.LOOPBACK}:{port}"
    gunicorn = [str(common.BIN / "gunicorn"), "--bind", bind, "--workers", "2", "--access-logfile", "-"]
    granian = [
        str(common.BIN / "granian"),
        "--interface",
        "wsgi",
        "--factory",
        "--host",
        common.LOOPBACK,
        "--port",
        str(port),
        "--workers",
        "2",
        "--blocking-threads",
        "8",
        "--access-log",
    ]
    app = "twingraph.web:create_app()"
    return {
        "gunicorn sync": [*gunicorn, app],
        "gunicorn gthread 8 threads": [*gunicorn, "--worker-class", "gthread", "--threads", "8", app],
        "granian 8 threads": [*granian, "twingraph.web:create_app"],
    }


def main() -> None:
    parser = common.arguments(__doc__.splitlines()[0])
    parser.add_argument(
        "--start-size",
        default="world",
        help="release whose `make serve` start is timed (what it serves; --quick: the --size release)",
    )
    args = common.settle(parser.parse_args())
    rel = common.release(args.work, args.size)
    rows: list[list[object]] = []
    # Cold start: our database cache emptied; the peer's database loaded anew.
    shutil.rmtree(rel.folder / "oxigraph-cache", ignore_errors=True)
    with common.twingraph_server(rel) as cold:
        pass
    peer_db = rel.folder / "peers" / "oxigraph-db"
    shutil.rmtree(peer_db, ignore_errors=True)
    started = time.perf_counter()
    common.oxigraph_database(rel)
    peer_load = time.perf_counter() - started
    with contextlib.ExitStack() as stack:
        oxigraph = stack.enter_context(common.oxigraph_peer(rel))
        docs = city_docs(oxigraph)
        ours = stack.enter_context(common.twingraph_server(rel))
        warm_up(ours, docs)
        ours_pss, ours_rss = ours.pss(), ours.rss()
        warm_up(oxigraph, [])
        rows.append(
            [
                "twingraph serve (2 workers)",
                cold.started_in,
                ours.started_in,
                common.megabytes(ours_pss),
                common.megabytes(ours_rss),
            ]
        )
        rows.append(
            [
                "oxigraph serve-read-only",
                peer_load + oxigraph.started_in,
                oxigraph.started_in,
                common.megabytes(oxigraph.pss()),
                common.megabytes(oxigraph.rss()),
            ]
        )
    if common.have_command("rdflib-endpoint"):
        with common.rdflib_peer(rel) as rdflib:
            start, pss, rss = rdflib.started_in, rdflib.pss(), rdflib.rss()
            rows.append(["rdflib-endpoint", start, start, common.megabytes(pss), common.megabytes(rss)])
    else:
        rows.append(["rdflib-endpoint", common.NOT_INSTALLED, "-", "-", "-"])
    print(f"## Server start-up and memory: {rel.name} release\n")
    print(common.table(["server", "cold start s", "warm start s", "PSS MiB", "RSS MiB (summed)"], rows))
    warm, pss_mib = float(rows[0][2]), float(rows[0][3])  # type: ignore[arg-type]
    print(
        f"\ntargets: warm start-up < 5 s: {'met' if warm < 5 else 'MISSED'}; "
        f"memory < 1 GiB: {'met' if pss_mib < 1024 else 'MISSED'} (PSS)"
    )
    # A smoke run times the start on the release it already built, instead of building another.
    start_size = args.size if args.quick and "--start-size" not in sys.argv else args.start_size
    first_answers(common.release(args.work, start_size), args.work)
    compare_wsgi(rel, docs, args.duration)


def until_answered(process: subprocess.Popen[bytes], url: str, paths: list[str]) -> dict[str, float]:
    """Seconds from now until each of ``paths`` first answers 200 (asked in turn, every 50 ms)."""
    started = time.perf_counter()
    seconds: dict[str, float] = {}
    while len(seconds) < len(paths):
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} while starting")
        for path in paths:
            if path not in seconds and common.http_status(url + path, timeout=30) == 200:
                seconds[path] = time.perf_counter() - started
        if time.perf_counter() - started > 300:
            raise RuntimeError(f"no answer from {url} within 300 s")
        time.sleep(0.05)
    return seconds


def first_answers(rel: Release, work: Path) -> None:
    """``make serve`` with nothing changed: ``twingraph build`` finding the release unchanged, then the
    seconds from starting ``twingraph serve`` until ``/`` and ``/sparql`` first answer 200; beside
    ``oxigraph serve-read-only`` started on the same data until its ``/`` and ``/query`` answer.

    Beside each time, the processor time its processes used until then: on a machine shared with other
    work the time on the clock is mostly waiting for a core, the processor time much less so."""
    started, cpu_before = time.perf_counter(), _children_cpu()
    done = subprocess.run(common.twingraph("build"), env=rel.env, capture_output=True, text=True)
    build, build_cpu = time.perf_counter() - started, _children_cpu() - cpu_before
    if done.returncode != 0 or "unchanged" not in done.stdout:
        raise SystemExit(f"twingraph build did not find the release unchanged:\n{done.stdout[-2000:]}")
    query = "?" + urllib.parse.urlencode({"query": LOOKUP})
    port = common.free_port()
    command = common.twingraph("serve", "--host", common.LOOPBACK, "--port", str(port))
    ours, ours_cpu = _first(command, port, ["/", "/sparql" + query], rel.env)
    port = common.free_port()
    location = common.oxigraph_database(rel)
    command = [str(common.BIN / "oxigraph"), "serve-read-only", "--location", str(location)]
    bind = ["--bind", f"{common.LOOPBACK}:{port}"]
    peer, peer_cpu = _first([*command, *bind], port, ["/", "/query" + query], None)
    rows = [
        ["twingraph build (nothing changed)", build, "-", "-", build_cpu],
        ["twingraph serve", ours["/"], ours["/sparql" + query], build + max(ours.values()), ours_cpu],
        ["oxigraph serve-read-only", peer["/"], peer["/query" + query], "-", peer_cpu],
    ]
    print(f"\n## `make serve` with nothing changed: {rel.name} release, seconds from the start\n")
    headers = ["step", "first 200 on /", "first 200 on /sparql", "with the build", "CPU s until then"]
    print(common.table(headers, rows))
    first = build + max(ours.values())
    peer_first = max(peer.values())
    sparql = ours["/sparql" + query]
    print(f"\ntarget: first answer < 5 s with nothing changed: {'met' if first < 5 else 'MISSED'}")
    targets.record(
        work,
        f"`make serve` with nothing changed, first 200 on / and /sparql ({rel.name})",
        f"{first:.2f} s (build {build:.2f} s, then / {ours['/']:.2f} s, /sparql {sparql:.2f} s; "
        f"CPU {build_cpu + ours_cpu:.2f} s)",
        f"{peer_first:.2f} s: oxigraph serve-read-only, first / and /query",
        "< 5 s",
        first < 5,
    )


def _first(
    command: list[str], port: int, paths: list[str], env: dict[str, str] | None
) -> tuple[dict[str, float], float]:
    """Start ``command``; the seconds until each path first answered 200, and the processor time its
    process tree had used by then; stop it."""
    url = f"http://{common.LOOPBACK}:{port}"
    started = time.perf_counter()
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        offset = time.perf_counter() - started
        seconds = {path: offset + s for path, s in until_answered(process, url, paths).items()}
        return seconds, Server("started", url, process).cpu_seconds()
    finally:
        common.stop(process)


def _children_cpu() -> float:
    """Processor seconds used by this script's finished child processes."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def compare_wsgi(rel: Release, docs: list[str], duration: float) -> None:
    rows: list[list[object]] = []
    lookup = Request(
        "GET",
        "/sparql?" + urllib.parse.urlencode({"query": LOOKUP}),
        {"Accept": "application/sparql-results+json"},
    )
    page = Request("GET", "@C@", {"Accept": "text/html"})
    for name in wsgi_servers(rel, 0):
        port = common.free_port()
        command = wsgi_servers(rel, port)[name]
        if not Path(command[0]).exists():
            rows.append([name, common.NOT_INSTALLED, "-", "-", "-", "-", "-", "-"])
            continue
        log = rel.folder / f"wsgi-{'-'.join(name.split()[:2])}.log"
        with common.serving(name, command, "/health", port, env=rel.env, log=log) as server:
            warm_up(server, docs)
            pages = common.wrk(server.url, [page], 32, duration, True, docs)
            cached = common.wrk(server.url, [lookup], 32, duration)
            rows.append(
                [
                    name,
                    pages.rps,
                    pages.p50,
                    pages.p99,
                    cached.rps,
                    cached.p50,
                    cached.p99,
                    pages.failed + cached.failed,
                ]
            )
    print(f"\n## WSGI servers: the same app, 2 workers, wrk c32, {duration:g} s per cell\n")
    print(
        common.table(
            [
                "server",
                "/doc HTML req/s",
                "p50 ms",
                "p99 ms",
                "cached /sparql req/s",
                "p50 ms",
                "p99 ms",
                "failed",
            ],
            rows,
        )
    )
    failed = sum(int(row[7]) for row in rows if isinstance(row[7], int))
    print(f"\nfailed requests in all runs: {failed}")


if __name__ == "__main__":
    main()
