"""Memory of ``twingraph serve`` with ten releases mounted side by side, beside ten Oxigraph servers.

    .venv/bin/python benchmarks/bench_releases_memory.py            # ten world releases
    .venv/bin/python benchmarks/bench_releases_memory.py --quick    # smoke: three 10k releases

The releases: the built release of ``--size`` and ``--releases - 1`` older versions beside it in one
dist folder (``0.0.1`` ...: the same files, hard-linked, under another version, so each has its own
fingerprint and its own database, as releases of different data would). Every release's database is
bulk-loaded before the server starts (that cost is the first visit's, measured in docs/versions.md).

``twingraph serve`` as shipped (Granian, its default worker count) serves them; the warm-up visits
every release several times (so that each web worker has likely opened it): its home page, city
pages and two SPARQL queries. Then the memory of the server's whole process tree (web workers and
query worker processes): RSS summed over the processes (the target's measure: counts a page shared by
k processes k times) and PSS (each shared page divided among the processes mapping it). Measured
with every release kept open (``TWINGRAPH_RELEASES_OPEN`` = the number of releases: the worst case),
as shipped (at most 3 open, least recently used closed), and serving the newest release alone.

Peer: one ``oxigraph serve-read-only`` per release, each on its own copy of the release's database
(named graphs and their merge, laid out as ours), warmed up with the same two queries.
Target (issue 17): RSS < 1.5 GiB with ten world-size releases mounted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import targets
from common import Release, Server

from twingraph.store.database import DUMP_NAME, prepare_database, release_fingerprint

GOAL_MIB = 1536
BASE = "https://w3id.org/twingraph/"
QUERIES = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    f"SELECT ?c ?l WHERE {{ ?c a <{BASE}ontology#City> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }} "
    "LIMIT 100",
)
CITIES = 5  # city pages per release and round (--quick: 2)
ROUNDS = 3  # visits of every release (--quick: 1)


def side_by_side(rel: Release, count: int) -> Path:
    """A dist folder holding ``rel``'s release and ``count - 1`` older versions of it (hard links)."""
    dist = rel.folder.parent / f"{rel.name}-x{count}" / "dist"
    newest = rel.latest
    versions = [f"0.0.{i}" for i in range(1, count)] + [newest.name]
    for version in versions:
        folder = dist / version
        if (folder / "SHA256SUMS").is_file():
            continue
        tmp = dist / f".{version}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for file in newest.iterdir():
            os.link(file, tmp / file.name)
        tmp.rename(folder)
    latest = dist / "latest"
    if not latest.is_symlink():
        latest.symlink_to(newest.name)
    return dist


def releases_in(dist: Path) -> list[Path]:
    """The release folders of ``dist``."""
    return sorted(
        p for p in dist.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
    )


def prepare(dist: Path, cache: Path) -> None:
    """Bulk-load every release's database (once; later runs reuse them)."""
    for folder in releases_in(dist):
        prepare_database(folder / DUMP_NAME, release_fingerprint(folder), cache)


def peer_databases(rel: Release, count: int) -> list[Path]:
    """``count`` copies of the peer's database (each Oxigraph server reads its own files, as ours do)."""
    source = common.oxigraph_database(rel)
    copies = []
    for i in range(count):
        copy = rel.folder / "peers" / f"oxigraph-db-{i}"
        if not (copy / ".loaded").is_file():
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(source, copy)
        copies.append(copy)
    return copies


def get(url: str) -> None:
    with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=120) as answer:
        answer.read()


def cities(oxigraph: Server, count: int) -> list[str]:
    """Paths of ``count`` city pages."""
    text = (
        f'SELECT ?c WHERE {{ ?c a <{BASE}ontology#City> FILTER(STRSTARTS(STR(?c), "{BASE}id/")) }} LIMIT 500'
    )
    request = urllib.request.Request(
        oxigraph.url + "/query?" + urllib.parse.urlencode({"query": text}),
        headers={"Accept": "text/csv"},
    )
    with urllib.request.urlopen(request, timeout=120) as answer:
        iris = answer.read().decode().split()[1:]
    return ["/doc/" + iri[len(BASE + "id/") :] for iri in iris[:: max(1, len(iris) // count)][:count]]


def warm_up(server: Server, roots: list[str], docs: list[str], rounds: int) -> None:
    """Pages and queries on every release, ``rounds`` times."""
    for _ in range(rounds):
        for root in roots:
            get(server.url + root + "/")
            for doc in docs:
                get(server.url + root + doc)
            for query in QUERIES:
                get(server.url + root + "/sparql?" + urllib.parse.urlencode({"query": query}))


def ours(
    rel: Release, dist: Path, cache: Path, releases_open: int, visit: bool, docs: list[str], rounds: int
) -> list[float]:
    """[RSS MiB, PSS MiB] of ``twingraph serve`` over ``dist`` after the warm-up."""
    env = common.environment(
        rel.folder,
        TWINGRAPH_DIST_DIR=str(dist),
        TWINGRAPH_STORE_CACHE_DIR=str(cache),
        TWINGRAPH_RELEASES_OPEN=str(releases_open),
    )
    port = common.free_port()
    command = common.twingraph("serve", "--host", common.LOOPBACK, "--port", str(port))
    log = rel.folder / "releases-memory.log"
    with common.serving("twingraph", command, "/health", port, env=env, log=log) as server:
        roots = [f"/releases/{p.name}" for p in releases_in(dist)] if visit else [""]
        warm_up(server, roots, docs, rounds)
        return [common.megabytes(server.rss()), common.megabytes(server.pss())]


def peers(rel: Release, count: int, rounds: int) -> list[float]:
    """[RSS MiB, PSS MiB] of ``count`` oxigraph serve-read-only processes, one per release, warmed up."""
    rss = pss = 0.0
    with contextlib.ExitStack() as stack:
        for location in peer_databases(rel, count):
            port = common.free_port()
            command = [
                str(common.BIN / "oxigraph"),
                "serve-read-only",
                "--location",
                str(location),
                "--bind",
                f"{common.LOOPBACK}:{port}",
            ]
            log = rel.folder / "oxigraph-releases.log"
            server = stack.enter_context(
                common.serving("oxigraph", command, "/query?query=ASK%7B%7D", port, log=log)
            )
            for _ in range(rounds):
                for query in QUERIES:
                    get(server.url + "/query?" + urllib.parse.urlencode({"query": query}))
            rss += common.megabytes(server.rss())
            pss += common.megabytes(server.pss())
    return [rss, pss]


def main() -> None:
    parser = common.arguments(__doc__.splitlines()[0], sizes="world")
    parser.add_argument("--releases", type=int, default=10, help="releases side by side")
    args = common.settle(parser.parse_args())
    if args.quick and "--releases" not in sys.argv:
        args.releases = 3
    rel = common.release(args.work, args.size)
    dist = side_by_side(rel, args.releases)
    cache = dist.parent / "store-cache"
    common.say(f"loading the databases of {args.releases} releases (once) ...")
    prepare(dist, cache)
    with common.oxigraph_peer(rel) as oxigraph:
        docs = cities(oxigraph, 2 if args.quick else CITIES)
    n, rounds = args.releases, 1 if args.quick else ROUNDS
    every = ours(rel, dist, cache, n, True, docs, rounds)
    shipped = ours(rel, dist, cache, 3, True, docs, rounds)
    alone = ours(rel, dist, cache, 3, False, docs, rounds)
    peer = peers(rel, n, rounds)
    rows = [
        [f"twingraph serve, {n} releases visited, all kept open", *every, common.ratio(every[0], peer[0])],
        [
            f"twingraph serve, {n} releases visited, as shipped (3 open at most)",
            *shipped,
            common.ratio(shipped[0], peer[0]),
        ],
        ["twingraph serve, the newest release alone", *alone, common.ratio(alone[0], peer[0])],
        [f"{n} x oxigraph serve-read-only (one per release)", *peer, "1.00x"],
    ]
    print(f"## Memory with {n} releases side by side: {rel.name} releases\n")
    print(common.table(["server", "RSS MiB (summed)", "PSS MiB", "RSS vs peer"], rows))
    met = every[0] < GOAL_MIB
    print(f"\ntarget: RSS < 1.5 GiB with {n} releases mounted (all open): {'met' if met else 'MISSED'}")
    targets.record(
        args.work,
        f"server RSS, {n} {rel.name} releases mounted and visited (all kept open)",
        f"{every[0]:,.0f} MiB RSS ({every[1]:,.0f} PSS); as shipped {shipped[0]:,.0f}",
        f"{peer[0]:,.0f} MiB RSS ({peer[1]:,.0f} PSS): {n} x oxigraph serve-read-only",
        "< 1,536 MiB RSS",
        met,
    )


if __name__ == "__main__":
    main()
