"""/sparql throughput and latency beside `oxigraph serve-read-only` and rdflib-endpoint, same data, same run.

    .venv/bin/python benchmarks/bench_sparql.py               # 1M generated triples, 5 s per cell
    .venv/bin/python benchmarks/bench_sparql.py --size world --duration 10
    .venv/bin/python benchmarks/bench_sparql.py --quick       # smoke: 10k triples, 2 s cells, peers 1 mode

Servers, each started here on a free port of 127.0.0.1 and stopped at the end:

- twingraph: ``twingraph serve`` as shipped (gunicorn, 2 workers; embedded store, query workers),
- twingraph remote: the same app with the remote backend on the oxigraph server below,
- oxigraph: ``oxigraph serve-read-only`` on a database ``oxigraph load`` filled with the release's
  named graphs and their merge as default graph (the layout our embedded store has),
- rdflib-endpoint: the release's union graph in an rdflib Graph (only when every request differs,
  at concurrency 8: it is two orders of magnitude slower),
- virtuoso: a private Virtuoso 7 (Debian virtuoso-opensource-7-bin) loaded with ``load_remote``
  (named graphs, their merge in a named graph that every request names as ``default-graph-uri``),
  and twingraph virtuoso: the app with the remote backend on it (``TWINGRAPH_REMOTE_DEFAULT_GRAPH``).

Query mix (POST, form-encoded, as a Lua script for wrk): a lookup of one city's triples, a label
search, an aggregate (cities per country), a two-step path (partners of partners) and a DESCRIBE.
Two modes: *repeat* sends the same five queries again and again (our release-keyed result cache
answers); *vary* makes every request differ (another city, another LIMIT), so every request reaches
the engine. Throughput per query and its geometric mean over the mix, as ratios to oxigraph.
"""

from __future__ import annotations

import contextlib
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common
import targets
from common import Load, Release, Request, Server

BASE = "https://w3id.org/twingraph/"
PROLOGUE = f"PREFIX tg: <{BASE}ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
JSON_RESULTS = "application/sparql-results+json"
TURTLE = "text/turtle"
CITY = "@C@"  # placeholder for a city IRI, filled in by the wrk script
HEAVY_SECONDS = 20.0


@dataclass(frozen=True)
class Query:
    """One query of the mix: ``@C@`` is a city IRI, ``@N@`` the LIMIT (1000 unless the run varies).

    A ``heavy`` query reads a large part of the graph (about 0.5 s of one core at 1M): its cells run
    at least HEAVY_SECONDS, since an engine that runs 64 of them at once answers the first only after
    all have shared the cores for a while.
    """

    name: str
    text: str
    accept: str
    heavy: bool = False


# The five queries a user of this data asks (issue 17): one city's description, its partners with
# their labels, a label prefix search, partnerships per country, and how many cities are partners of
# its partners. In vary mode each request names another city (@C@) or another LIMIT (@N@).
MIX = [
    Query("city description", PROLOGUE + "DESCRIBE <@C@>", TURTLE),
    Query(
        "partners with labels",
        PROLOGUE
        + "SELECT ?partner ?label WHERE { <@C@> tg:twinnedWith ?partner . ?partner rdfs:label ?label } "
        + "ORDER BY ?partner ?label LIMIT @N@",
        JSON_RESULTS,
    ),
    Query(
        "label prefix search",
        PROLOGUE
        + "SELECT ?city ?label WHERE { ?city a tg:City ; rdfs:label ?label . "
        + 'FILTER(STRSTARTS(LCASE(STR(?label)), "dortm")) } LIMIT @N@',
        JSON_RESULTS,
        heavy=True,
    ),
    Query(
        "partnerships per country",
        PROLOGUE
        + "SELECT ?country (COUNT(DISTINCT ?partnership) AS ?partnerships) WHERE { "
        + "?city tg:countryCode ?country ; tg:partnerOf ?partnership } "
        + "GROUP BY ?country ORDER BY DESC(?partnerships) ?country LIMIT @N@",
        JSON_RESULTS,
        heavy=True,
    ),
    Query(
        "partners of partners (count)",
        PROLOGUE
        + "SELECT (COUNT(DISTINCT ?other) AS ?cities) WHERE { <@C@> tg:twinnedWith ?partner . "
        + "?partner tg:twinnedWith ?other FILTER(?other != <@C@>) } LIMIT @N@",
        JSON_RESULTS,
    ),
]


def request_of(query: Query, path: str) -> Request:
    """A POST of the query as a form, placeholders kept readable for the wrk script."""
    body = urllib.parse.urlencode({"query": query.text}).replace("%40C%40", "@C@").replace("%40N%40", "@N@")
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": query.accept}
    return Request("POST", path, headers, body)


def query_path(server: Server) -> str:
    """Where each server answers SPARQL (Virtuoso: its merge graph named as the default graph)."""
    merge = "/sparql?default-graph-uri=" + urllib.parse.quote(common.VIRTUOSO_MERGE, safe="")
    return {"oxigraph": "/query", "rdflib-endpoint": "/", "virtuoso": merge}.get(server.name, "/sparql")


def post(server: Server, query: Query, city: str) -> tuple[bytes, str]:
    """One request as the load generator sends it in repeat mode; the answer's bytes and media type."""
    req = common.fixed(request_of(query, query_path(server)), urllib.parse.quote_plus(city))
    data = req.body.encode()
    request = urllib.request.Request(server.url + req.path, data=data, headers=req.headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return bytes(response.read()), response.headers.get_content_type()
    except urllib.error.HTTPError as refused:  # a limit reached: shown in the check's table, not a crash
        common.say(f"{server.name} refused {query.name}: {refused.code} {refused.read()[:200]!r}")
        return b"", f"HTTP {refused.code}"


def size_of(query: Query, answer: tuple[bytes, str]) -> int | str:
    """Rows of a result set, triples of a graph ("unreadable" when the answer does not parse).

    The graph is read in the format the server chose (rdflib-endpoint answers DESCRIBE in RDF/XML
    whatever the Accept header asks for).
    """
    body, media_type = answer
    if media_type.startswith("HTTP "):
        return media_type
    try:
        if query.accept == TURTLE:
            fmt = ox.RdfFormat.from_media_type(media_type) or ox.RdfFormat.TURTLE
            if body.lstrip().startswith(b"<?xml"):  # whatever the Content-Type says
                fmt = ox.RdfFormat.RDF_XML
            return sum(1 for _ in ox.parse(body, format=fmt))
        return len(json.loads(body)["results"]["bindings"])
    except (SyntaxError, ValueError, KeyError) as exc:
        common.say(f"{query.name}: unreadable answer ({exc}): {body[:300]!r}")
        return "unreadable"


def cities(server: Server, count: int) -> list[str]:
    """IRIs of ``count`` cities (an odd number, so that the wrk script's stride visits them all)."""
    text = PROLOGUE + "SELECT ?c WHERE { ?c a tg:City ; tg:partnerOf ?p } GROUP BY ?c ORDER BY ?c"
    body = urllib.parse.urlencode({"query": text}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": JSON_RESULTS}
    request = urllib.request.Request(server.url + "/query", data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=600) as response:
        rows = json.loads(response.read())["results"]["bindings"]
    found = [row["c"]["value"] for row in rows]
    step = max(1, len(found) // count)
    chosen = found[::step][:count]
    return chosen if len(chosen) % 2 else chosen[:-1]


def check_answers(servers: Sequence[Server], city: str) -> list[list[object]]:
    """Send each query once to each server; the sizes of the answers must agree."""
    rows: list[list[object]] = []
    for query in MIX:
        sizes = [size_of(query, post(server, query, city)) for server in servers]
        rows.append([query.name, *sizes, "same" if len(set(sizes)) == 1 else "DIFFERENT"])
    return rows


def warmed(server: Server) -> None:
    """Wait until each web worker of the app has built the index it builds in the background after it
    starts (a reconciliation query waits for it): the measurement must not share the cores with it.
    Sixteen requests at once, so that every worker gets some."""
    url = (
        server.url
        + "/reconcile?"
        + urllib.parse.urlencode({"queries": json.dumps({"q0": {"query": "Dortmund"}})})
    )

    def ask(_: int) -> None:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=300) as response:
            response.read()

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(ask, range(16)))


def measure(
    server: Server,
    vary: bool,
    connections: int,
    duration: float,
    heavy_seconds: float,
    values: list[str],
    idle: Sequence[Server],
    queries: Sequence[Query] = MIX,
) -> dict[str, Load]:
    """wrk on each query (the mix unless said) in turn (heavy ones for at least ``heavy_seconds``)."""
    path = query_path(server)
    quoted = [urllib.parse.quote_plus(v) for v in values]
    figures = {}
    for query in queries:
        seconds = max(duration, heavy_seconds) if query.heavy else duration
        load = common.wrk(
            server.url, [request_of(query, path)], connections, seconds, vary, quoted, timeout=120
        )
        if not load.ok:
            common.say(f"  {server.name} {query.name}: {load.failed} failed, {load.requests} answered")
        figures[query.name] = load
        common.wait_all_idle(idle)  # the remote backend's backlog is in the oxigraph server
    return figures


Results = dict[tuple[str, str, int], dict[str, Load]]

# A smoke run (--quick) measures the pair that the targets compare (twingraph, oxigraph) in both modes
# and every other column once, in the mode in which every request reaches the engine, on a light and
# a heavy query: the script runs end to end on every server (Virtuoso included) in 26 one-second cells
# instead of 35 (make test runs it).
QUICK_MODES = {"twingraph": ("repeat", "vary"), "oxigraph": ("repeat", "vary")}
QUICK_PEER_QUERIES = [MIX[1], MIX[3]]


def main() -> None:
    parser = common.arguments(__doc__.splitlines()[0], sizes="world")
    parser.add_argument("--connections", default="8,64", help="wrk concurrency levels (quick: 8)")
    parser.add_argument(
        "--peers",
        default="remote,virtuoso,rdflib",
        help="servers to measure besides twingraph and oxigraph (comma-separated: remote, virtuoso, "
        "rdflib; '' for none)",
    )
    parser.add_argument(
        "--heavy-seconds", type=float, default=HEAVY_SECONDS, help="least seconds of a heavy query's cell"
    )
    args = common.settle(parser.parse_args())
    args.duration = args.duration if "--duration" in sys.argv else min(args.duration, 5.0)
    heavy = args.duration if args.quick else max(args.duration, args.heavy_seconds)
    peers = {p.strip() for p in args.peers.split(",") if p.strip()}
    levels = (
        [8]
        if args.quick and "--connections" not in sys.argv
        else [int(c) for c in args.connections.split(",")]
    )
    if not common.have_wrk():
        raise SystemExit("wrk is missing: `make sysdeps` installs it (Debian package wrk)")
    rel = common.release(args.work, args.size)
    results: Results = {}
    with contextlib.ExitStack() as stack:
        common.say("starting oxigraph serve-read-only ...")
        oxigraph = stack.enter_context(common.oxigraph_peer(rel))
        values = cities(oxigraph, 20001)
        common.say(f"{len(values)} cities to vary over; starting twingraph ...")
        ours = stack.enter_context(common.twingraph_server(rel))
        servers = [ours, oxigraph]
        labels = {id(ours): "twingraph", id(oxigraph): "oxigraph"}
        remote_env = {"TWINGRAPH_STORE": "remote", "TWINGRAPH_REMOTE_QUERY_URL": oxigraph.url + "/query"}
        if "remote" in peers:
            remote = stack.enter_context(
                common.twingraph_server(rel, extra_env=remote_env, log_name="remote")
            )
            servers.insert(1, remote)
            labels[id(remote)] = "twingraph remote"
        if "virtuoso" in peers and common.have_virtuoso():
            common.say("starting virtuoso and loading the release into it ...")
            virtuoso = stack.enter_context(common.virtuoso_peer(rel))
            common.say(f"virtuoso started and loaded in {virtuoso.started_in:.0f} s")
            on_virtuoso_env = {
                **remote_env,
                "TWINGRAPH_REMOTE_QUERY_URL": virtuoso.url + "/sparql",
                "TWINGRAPH_REMOTE_DEFAULT_GRAPH": common.VIRTUOSO_MERGE,
            }
            on_virtuoso = stack.enter_context(
                common.twingraph_server(rel, extra_env=on_virtuoso_env, log_name="virtuoso-remote")
            )
            servers += [on_virtuoso, virtuoso]
            labels |= {id(on_virtuoso): "twingraph virtuoso", id(virtuoso): "virtuoso"}
        elif "virtuoso" in peers:
            common.say(f"virtuoso {common.NOT_INSTALLED}: left out")
        rdflib = None
        if "rdflib" in peers and common.have_command("rdflib-endpoint"):
            common.say("starting rdflib-endpoint (it parses the whole graph first) ...")
            rdflib = stack.enter_context(common.rdflib_peer(rel))
            labels[id(rdflib)] = "rdflib-endpoint"
            common.say(f"rdflib-endpoint started in {rdflib.started_in:.0f} s")
        elif "rdflib" in peers:
            common.say(f"rdflib-endpoint {common.NOT_INSTALLED}: left out")
        everyone = [*servers, *([rdflib] if rdflib else [])]
        for server in everyone:  # the app builds its indexes in the background after it starts
            if labels[id(server)].startswith("twingraph"):
                warmed(server)
        common.wait_all_idle(everyone)
        checks = check_answers(everyone, values[0])
        for vary in (False, True):
            for connections in levels:
                for server in servers:
                    mode = "vary" if vary else "repeat"
                    paired = labels[id(server)] in QUICK_MODES
                    if args.quick and mode not in QUICK_MODES.get(labels[id(server)], ("vary",)):
                        continue
                    queries = QUICK_PEER_QUERIES if args.quick and not paired else MIX
                    common.say(f"{mode} c{connections}: {labels[id(server)]} ...")
                    results[(labels[id(server)], mode, connections)] = measure(
                        server, vary, connections, args.duration, heavy, values, everyone, queries
                    )
        if rdflib is not None:
            common.say("vary c8: rdflib-endpoint ...")
            results[("rdflib-endpoint", "vary", 8)] = measure(rdflib, True, 8, heavy, heavy, values, [rdflib])
    report(rel, args.duration, heavy, checks, results, levels, [labels[id(s)] for s in everyone])
    report_virtuoso(results, levels)
    record_targets(args.work, rel, results, levels)


GOALS = {"vary": {8: 0.8, 64: 0.6}, "repeat": {8: 2.0, 64: 2.0}}


def record_targets(work: Path, rel: Release, results: Results, levels: list[int]) -> None:
    """The issue's /sparql targets, each beside oxigraph's figure of the same run (benchmarks/targets.py):
    every request differs, geometric mean >= 0.8x at c8, >= 0.6x at c64; requests repeat, >= 2x with
    every single query >= 1x."""
    for mode in ("vary", "repeat"):
        for connections in levels:
            ours, peer = results[("twingraph", mode, connections)], results[("oxigraph", mode, connections)]
            mean, peer_mean = (common.geomean([f[q.name].rps for q in MIX]) for f in (ours, peer))
            goal = GOALS[mode].get(connections, GOALS[mode][8])
            ratio = mean / peer_mean if peer_mean else 0.0
            met = ratio >= goal
            goal_text = f">= {goal:g}x oxigraph"
            measured = f"{ratio:.2f}x ({mean:,.1f} req/s)"
            if mode == "repeat":
                worst = min(MIX, key=lambda q: ours[q.name].rps / max(peer[q.name].rps, 1e-9))
                worst_ratio = ours[worst.name].rps / max(peer[worst.name].rps, 1e-9)
                met = met and worst_ratio >= 1.0
                goal_text += ", every query >= 1x"
                measured += f", lowest {worst_ratio:.2f}x ({worst.name})"
            what = f"/sparql {mode}, five-query mix, {rel.name} release, c{connections}"
            targets.record(work, what, measured, f"{peer_mean:,.1f} req/s", goal_text, met)


def report_virtuoso(results: Results, levels: list[int]) -> None:
    """The app on Virtuoso beside Virtuoso itself, and Virtuoso beside Oxigraph, same queries, same run."""
    if not any(name == "virtuoso" for name, _, _ in results):
        return
    print("\n### Virtuoso: the app on Virtuoso, Virtuoso itself, and Oxigraph\n")
    rows: list[list[object]] = []
    for mode in ("repeat", "vary"):
        for connections in levels:
            if ("virtuoso", mode, connections) not in results:  # a smoke run measures one mode of it
                continue
            app = results[("twingraph virtuoso", mode, connections)]
            engine = results[("virtuoso", mode, connections)]
            oxigraph = results[("oxigraph", mode, connections)]
            measured = [q for q in MIX if q.name in engine]  # a smoke run measures two queries
            for query in [*measured, None]:
                if query is None:
                    a, v, o = (
                        common.geomean([f[q.name].rps for q in measured]) for f in (app, engine, oxigraph)
                    )
                    name = "geometric mean" + ("" if len(measured) == len(MIX) else " of those")
                else:
                    a, v, o = app[query.name].rps, engine[query.name].rps, oxigraph[query.name].rps
                    name = query.name
                rows.append([f"{mode} c{connections}", name, a, v, o, common.ratio(a, v), common.ratio(v, o)])
    headers = [
        "mode",
        "query",
        "twingraph on virtuoso req/s",
        "virtuoso req/s",
        "oxigraph req/s",
        "app/virtuoso",
        "virtuoso/oxigraph",
    ]
    print(common.table(headers, rows))


def slow_rps(load: Load) -> float:
    """Throughput, or for a run in which no answer came back its upper bound: one answer in the run."""
    return load.rps if load.requests else 1.0 / max(load.seconds, 1.0)


def report(
    rel: Release,
    duration: float,
    heavy: float,
    checks: list[list[object]],
    results: Results,
    levels: list[int],
    names: list[str],
) -> None:
    print(
        f"## /sparql: {rel.name} release, wrk {duration:g} s per cell ({heavy:g} s for heavy "
        "queries and rdflib-endpoint), POST form, 2-core machine\n"
    )
    print("Answer sizes (rows or triples) per server, repeat-mode request:\n")
    print(common.table(["query", *names, "agree"], checks))
    with_remote = any(name == "twingraph remote" for name, _, _ in results)
    summary = []
    for mode in ("repeat", "vary"):
        for connections in levels:
            ours = results[("twingraph", mode, connections)]
            remote = results.get(("twingraph remote", mode, connections))
            peer = results[("oxigraph", mode, connections)]
            slow = results.get(("rdflib-endpoint", mode, connections))
            rows = []
            for query in MIX:
                o, p = ours[query.name], peer[query.name]
                row: list[object] = [query.name, o.rps, o.p50, o.p99]
                if remote is not None:
                    row.append(remote[query.name].rps if query.name in remote else "-")
                row += [p.rps, p.p50, p.p99, common.ratio(o.rps, p.rps)]
                if slow:
                    bound = slow_rps(slow[query.name])
                    mark = "" if slow[query.name].requests else "< "
                    row += [f"{mark}{bound:.3g}", ("> " if mark else "") + common.ratio(o.rps, bound)]
                rows.append(row)
            headers = ["query", "twingraph req/s", "p50 ms", "p99 ms"]
            headers += ["remote req/s"] if remote is not None else []
            headers += ["oxigraph req/s", "p50 ms", "p99 ms", "vs oxigraph"]
            if slow:
                headers += ["rdflib-endpoint req/s", "vs rdflib"]
            print(f"\n### {mode}, concurrency {connections}\n")
            print(common.table(headers, rows))
            mean = common.geomean([ours[q.name].rps for q in MIX])
            peer_mean = common.geomean([peer[q.name].rps for q in MIX])
            line: list[object] = [f"{mode} c{connections}", mean, peer_mean, common.ratio(mean, peer_mean)]
            if with_remote and remote is not None and len(remote) == len(MIX):
                remote_mean = common.geomean([remote[q.name].rps for q in MIX])
                line += [remote_mean, common.ratio(remote_mean, peer_mean)]
            elif with_remote:  # not measured in this mode, or on two queries only (a smoke run)
                line += ["-", "-"]
            if slow:
                slow_mean = common.geomean([slow_rps(slow[q.name]) for q in MIX])
                mark = "" if all(slow[q.name].requests for q in MIX) else "> "
                line += [slow_mean, mark + common.ratio(mean, slow_mean)]
            elif any(name == "rdflib-endpoint" for name, _, _ in results):
                line += ["-", "-"]
            summary.append(line)
    print("\n### Geometric mean of throughput over the mix\n")
    headers = ["mode", "twingraph", "oxigraph", "twingraph/oxigraph"]
    headers += ["twingraph remote", "remote/oxigraph"] if with_remote else []
    headers += (
        ["rdflib-endpoint", "twingraph/rdflib"] if any(n == "rdflib-endpoint" for n, _, _ in results) else []
    )
    print(common.table(headers, summary))
    # Our own servers must answer everything; a peer's failures (Virtuoso refusing some aggregate
    # queries under load) are figures about the peer, printed apart.
    ours_all = [figures for (name, *_), figures in results.items() if name.startswith("twingraph")]
    peers = [figures for (name, *_), figures in results.items() if not name.startswith("twingraph")]
    failed = sum(load.failed for figures in ours_all for load in figures.values())
    peer_failed = sum(load.failed for figures in peers for load in figures.values())
    print(f"\nfailed requests in all runs: {failed}")
    print(f"failed requests of the peers: {peer_failed}")


if __name__ == "__main__":
    main()
