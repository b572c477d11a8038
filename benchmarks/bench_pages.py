"""/doc pages (HTML and Turtle): throughput and p99 at concurrency 32, beside the engine's own DESCRIBE.

    .venv/bin/python benchmarks/bench_pages.py                  # the world graph, 10 s per cell
    .venv/bin/python benchmarks/bench_pages.py --quick          # smoke: 10k triples, 2 s per cell

``twingraph serve`` (gunicorn, as shipped) serves the release; wrk cycles through the documents of
up to 2,000 cities and 2,000 partnerships (each request another resource, so the pages' per-release
caches only help as far as they would on a crawl). The peer is ``oxigraph serve-read-only`` answering
``DESCRIBE <iri>`` in Turtle for the same resources: what a bare engine sends for a resource,
without the page's labels, sources, map or content negotiation. Target: p99 < 20 ms.

Then the deployment of docs/deploy.md: nginx with ``deploy/nginx-site.conf.template`` in front of the
same process, its cache filled by one pass over every page (HTML and Turtle), measured the same way.
"""

from __future__ import annotations

import contextlib
import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
from common import Load, Request, Server

BASE = "https://w3id.org/twingraph/"
CONNECTIONS = (32,)


def resources(oxigraph: Server, limit: int) -> list[str]:
    """IRIs of up to ``limit`` cities and ``limit`` partnerships under the base IRI, spread evenly."""
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
    import http.client

    connection = http.client.HTTPConnection(common.LOOPBACK, int(proxy.url.rsplit(":", 1)[1]), timeout=60)
    for accept in ("text/html", "text/turtle"):
        for path in docs:
            connection.request("GET", path, headers={"Accept": accept})
            connection.getresponse().read()
    connection.close()


def doc_path(iri: str) -> str:
    """/doc/<segment>/<slug> of a resource IRI."""
    return "/doc/" + iri[len(BASE + "id/") :]


def main() -> None:
    parser = common.arguments(__doc__.splitlines()[0], sizes="world")
    args = common.settle(parser.parse_args())
    if not common.have_wrk():
        raise SystemExit("wrk is missing: `make sysdeps` installs it (Debian package wrk)")
    rel = common.release(args.work, args.size)
    rows: list[list[object]] = []
    with contextlib.ExitStack() as stack:
        oxigraph = stack.enter_context(common.oxigraph_peer(rel))
        iris = resources(oxigraph, 2000)
        ours = stack.enter_context(common.twingraph_server(rel))
        docs = [doc_path(i) for i in iris]
        describes = ["/query?query=" + urllib.parse.quote(f"DESCRIBE <{i}>", safe="") for i in iris]
        for path in docs[:3]:  # every page answers 200 before it is measured
            status = common.http_status(ours.url + path)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
        common.say(f"{len(iris)} resources; warming up ...")
        warm = Request("GET", "@C@", {"Accept": "text/html"})
        common.wrk(ours.url, [warm], 8, max(1.0, args.duration / 2), True, docs)
        cells = [
            ("/doc HTML", ours, "text/html", docs),
            ("/doc Turtle", ours, "text/turtle", docs),
            ("/doc HTML, same page again", ours, "text/html", docs[:1]),
            ("oxigraph DESCRIBE (Turtle)", oxigraph, "text/turtle", describes),
        ]
        figures: dict[str, Load] = {}
        for connections in CONNECTIONS:
            for name, server, accept, values in cells:
                common.say(f"c{connections}: {name} ...")
                load = common.wrk(
                    server.url,
                    [Request("GET", "@C@", {"Accept": accept})],
                    connections,
                    args.duration,
                    True,
                    values,
                )
                figures[name] = load
                rows.append([name, connections, load.rps, load.p50, load.p99, load.failed])
        if common.have_nginx():
            port = int(ours.url.rsplit(":", 1)[1])
            proxy = stack.enter_context(common.nginx_proxy(rel.folder / "nginx", [port]))
            common.say("nginx (deploy template) in front: filling its cache with every page once ...")
            fill_cache(proxy, docs)
            for name, accept in (
                ("/doc HTML via nginx, cache warm", "text/html"),
                ("/doc Turtle via nginx, cache warm", "text/turtle"),
            ):
                common.say(f"c32: {name} ...")
                load = common.wrk(
                    proxy.url, [Request("GET", "@C@", {"Accept": accept})], 32, args.duration, True, docs
                )
                figures[name] = load
                rows.append([name, 32, load.rps, load.p50, load.p99, load.failed])
        else:
            common.say("nginx is not installed (make sysdeps): the cached deployment is left out")
        peer = figures["oxigraph DESCRIBE (Turtle)"]
        for row in rows:
            row.append(common.ratio(float(row[2]), peer.rps))  # type: ignore[arg-type]
            row.append("yes" if float(row[4]) < 20 else "no")  # type: ignore[arg-type]
    print(
        f"## Linked Data pages: {rel.name} release, {len(iris)} resources, wrk {args.duration:g} s per cell\n"
    )
    print(
        common.table(
            [
                "request",
                "connections",
                "req/s",
                "p50 ms",
                "p99 ms",
                "failed",
                "vs oxigraph DESCRIBE",
                "p99 < 20 ms",
            ],
            rows,
        )
    )
    print(f"\nfailed requests in all runs: {sum(int(str(row[5])) for row in rows)}")


if __name__ == "__main__":
    main()
