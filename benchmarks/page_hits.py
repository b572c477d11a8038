"""CPU per render-cache hit of ``/doc`` (and the ``/id/`` 303), in process, through the app's WSGI callable.

    .venv/bin/python benchmarks/page_hits.py                 # the world release of bench_pages
    .venv/bin/python benchmarks/page_hits.py --quick         # smoke: 10k triples

What a kept answer costs the app itself, without an HTTP server, a network or a load generator: the
same app ``twingraph serve`` builds (``create_app()`` from the release's environment), each document
asked for once (rendered and kept), then asked for again and again, ``time.thread_time`` around the
repeats. Measured one format at a time, in the order of the table (every format bench_pages.py asks
for by ``Accept``, and N-Triples by its suffix), each with its mean body size; a repeat that was not
answered from the render cache stops the run (the render cache's hit counter must count every one).
bench_pages.py prints it too.
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
from common import Release

PAGES = 50  # documents asked for per format
ROUNDS = 20  # repeats of each, after the first
# (row, path suffix, extra WSGI environ): what a browser, a crawler and a cache in front send; every
# format bench_pages.py asks for by Accept, and one by its suffix.
ASKED: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("HTML", "", {"HTTP_ACCEPT": "text/html", "HTTP_ACCEPT_LANGUAGE": "de,en;q=0.8"}),
    ("Turtle", "", {"HTTP_ACCEPT": "text/turtle"}),
    ("JSON-LD", "", {"HTTP_ACCEPT": "application/ld+json"}),
    ("N-Triples", "", {"HTTP_ACCEPT": "application/n-triples"}),
    ("RDF/XML", "", {"HTTP_ACCEPT": "application/rdf+xml"}),
    ("TriG", "", {"HTTP_ACCEPT": "application/trig"}),
    ("N-Quads", "", {"HTTP_ACCEPT": "application/n-quads"}),
    ("N-Triples (suffix)", ".nt", {}),
    ("/id/ 303", "", {}),
)
REVALIDATION = ("HTML, 304 (If-Modified-Since)", {"HTTP_IF_MODIFIED_SINCE": "Sat, 01 Jan 2050 00:00:00 GMT"})


def environ(path: str, extra: dict[str, str]) -> dict[str, Any]:
    """A GET of ``path`` as Granian hands it to the app."""
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8080",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8080",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **extra,
    }


def call(app: Any, path: str, extra: dict[str, str]) -> tuple[str, int]:
    """One request through ``app``'s WSGI callable; its status line and body length (the body read
    and closed)."""
    seen: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen.append(status)

    body: Iterable[bytes] = app(environ(path, extra), start_response)
    size = sum(len(chunk) for chunk in body)
    close = getattr(body, "close", None)
    if close is not None:
        close()
    return seen[0], size


def cpu_per_hit(app: Any, paths: list[str], extra: dict[str, str], expect: str) -> tuple[float, int]:
    """Milliseconds of this thread's CPU per repeated request of ``paths`` (each asked once first),
    and the mean body bytes. SystemExit when a repeat was not answered from the render cache: the
    figure would not be a hit's."""
    from twingraph.web.state import app_state

    sizes = []
    for path in paths:
        status, size = call(app, path, extra)
        if not status.startswith(expect):
            raise SystemExit(f"{path} {extra} answered {status}")
        sizes.append(size)
    renders = app_state(app).renders
    hits = renders.hits
    started = time.thread_time()
    for _ in range(ROUNDS):
        for path in paths:
            call(app, path, extra)
    spent = time.thread_time() - started
    if renders.hits - hits != ROUNDS * len(paths):
        raise SystemExit(f"{extra}: {ROUNDS * len(paths) - (renders.hits - hits)} repeats missed the cache")
    return spent * 1000 / (ROUNDS * len(paths)), sum(sizes) // len(sizes)


def measure(rel: Release, docs: list[str]) -> list[tuple[str, float, int]]:
    """CPU per hit and mean body bytes for each way of asking in ``ASKED``, on an app built as the
    server's workers build it."""
    os.environ.update(rel.env)
    from twingraph.config import load_settings
    from twingraph.web import create_app
    from twingraph.web.state import close_app

    app = create_app(load_settings())
    try:
        figures = []
        for name, suffix, extra in ASKED:
            if name.startswith("/id/"):
                paths = ["/id/" + p[len("/doc/") :] for p in docs]
                figures.append((name, *cpu_per_hit(app, paths, extra, "303")))
            else:
                figures.append((name, *cpu_per_hit(app, [p + suffix for p in docs], extra, "200")))
        name, extra = REVALIDATION
        html = {**ASKED[0][2], **extra}
        figures.append((name, *cpu_per_hit(app, docs, html, "304")))
        return figures
    finally:
        close_app(app)


HEADERS = ["request", "ms CPU per hit", "body bytes"]


def rows(figures: list[tuple[str, float, int]]) -> list[list[object]]:
    """Table rows of :func:`measure`'s figures."""
    return [[name, f"{ms:.3f}", size] for name, ms, size in figures]


def city_docs(rel: Release, count: int) -> list[str]:
    """The /doc paths of ``count`` cities of the release, spread over it (from the Oxigraph peer)."""
    import bench_pages

    with common.oxigraph_peer(rel) as oxigraph:
        iris = bench_pages.resources(oxigraph, count)
    return [bench_pages.doc_path(i) for i in iris[:count]]


def main() -> None:
    parser = common.arguments(__doc__.splitlines()[0], sizes="world")
    args = common.settle(parser.parse_args())
    rel = common.release(args.work, args.size)
    docs = city_docs(rel, PAGES)
    print(f"## CPU per render-cache hit, in process ({rel.name}, {len(docs)} documents x {ROUNDS})\n")
    print(common.table(HEADERS, rows(measure(rel, docs))))
    print(f"\nload average: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
