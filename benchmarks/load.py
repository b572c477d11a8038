"""Load and soak runs against the real server (`make load`, `make soak`): wrk with a Lua script over a
realistic mix on 127.0.0.1, bounded in time. Prints p50 / p99 latency, throughput and errors (any
socket error or status >= 400 is one), and the memory (RSS) of the server's processes before and after.

    .venv/bin/python benchmarks/load.py                          # 60 s at 64 connections on dist/latest
    .venv/bin/python benchmarks/load.py --duration 600 --soak    # 10 minutes, RSS every minute
    .venv/bin/python benchmarks/load.py --dist /tmp/dist --duration 20

The mix (weights from a small LOD site's log: mostly pages, then RDF fetches, then queries):
40 % page views (home, resource pages, lists, search, map), 25 % content-negotiated fetches (Turtle,
JSON-LD, N-Triples by Accept, suffix URLs, /id 303s), 20 % the published example queries (GET and
POST), 15 % reconciliation (batches of 10 names as OpenRefine sends them, and suggest). The resources
are the release's own, read from its sitemap. One client sends everything, so the server runs with its
per-client limits lifted (they are measured by benchmarks/abuse.py, the abuse scenario `make load`
runs next, and tested in tests/sparql/test_fairness_*.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

LUA = r"""
local requests = {REQUESTS}
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
  statuses = {}
  counter = id * 7919
end

function request()
  counter = counter + 1
  local r = requests[(counter % #requests) + 1]
  return wrk.format(r[1], r[2], r[3], r[4])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 400 then errors = errors + 1 end
end

function done(summary, latency, requests_)
  local bad = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("errors")
    for code, n in pairs(thread:get("statuses")) do
      by_status[tostring(code)] = (by_status[tostring(code)] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(by_status) do table.insert(parts, string.format('"%s": %d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "p50_ms": %.2f, "p90_ms": %.2f, ' ..
    '"p99_ms": %.2f, "max_ms": %.2f, ' ..
    '"http_errors": %d, "socket_errors": %d, "timeouts": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3, bad, e.connect + e.read + e.write, e.timeout,
    table.concat(parts, ", ")))
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return str(response.read().decode("utf-8"))


def mix(url: str, seed: int = 7) -> list[tuple[str, str, dict[str, str], str]]:
    """The weighted list of (method, path, headers, body) the load cycles through."""
    rng = random.Random(seed)
    paths = re.findall(r"<loc>https?://[^/]+(/doc/[^<]+)</loc>", fetch(url + "/sitemap.xml"))
    resources = [p for p in paths if p.split("/")[2] in ("partnership", "city", "person", "event", "school")]
    names = sorted({p.rsplit("/", 1)[1].split("-")[0].capitalize() for p in resources if "/city/" in p})
    examples = json.loads(fetch(url + "/openapi.json"))  # only to check that this is our server
    assert examples["info"]["title"].startswith("twingraph")
    from twingraph.sparql.examples import load_examples

    queries = [(e.text, e.form in ("CONSTRUCT", "DESCRIBE")) for e in load_examples()]
    html = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8", "Accept-Language": "de,en;q=0.7"}
    pages = ["/", "/list/partnership", "/list/city", "/map", *(f"/search?q={n}" for n in names[:10])]
    pages += rng.sample(resources, min(60, len(resources)))
    requests: list[tuple[str, str, dict[str, str], str]] = []
    for _ in range(8):  # 40 %
        requests += [("GET", rng.choice(pages), html, "") for _ in range(5)]
    rdf = ["text/turtle", "application/ld+json", "application/n-triples"]
    for _ in range(5):  # 25 %
        doc = rng.choice(resources)
        requests += [
            ("GET", doc, {"Accept": rng.choice(rdf)}, ""),
            ("GET", doc + ".ttl", {}, ""),
            ("GET", doc + ".jsonld", {}, ""),
            ("GET", doc.replace("/doc/", "/id/"), {"Accept": "text/turtle"}, ""),
            ("GET", doc, {"Accept": "application/rdf+xml"}, ""),
        ]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    for i in range(20):  # 20 %
        query, graph = queries[i % len(queries)]
        if i % 2:
            accept = "text/turtle" if graph else "application/sparql-results+json"
            requests.append(("GET", "/sparql?" + urlencode({"query": query}), {"Accept": accept}, ""))
        else:
            accept = "application/n-triples" if graph else "text/csv"
            requests.append(("POST", "/sparql", {**form, "Accept": accept}, urlencode({"query": query})))
    for i in range(15):  # 15 %
        if i % 3 == 2:
            requests.append(
                ("GET", "/reconcile/suggest/entity?prefix=" + quote(rng.choice(names)[:3]), {}, "")
            )
            continue
        batch = {
            f"q{k}": {"query": name, "type": "City"}
            for k, name in enumerate(rng.sample(names, min(10, len(names))))
        }
        requests.append(("POST", "/reconcile", form, urlencode({"queries": json.dumps(batch)})))
    rng.shuffle(requests)
    return requests


def lua_table(requests: list[tuple[str, str, dict[str, str], str]]) -> str:
    def text(value: str) -> str:
        return json.dumps(value)  # a JSON string is a valid Lua string literal for these ASCII values

    rows = []
    for method, path, headers, body in requests:
        head = "{" + ", ".join(f"[{text(k)}] = {text(v)}" for k, v in headers.items()) + "}"
        rows.append(f"{{{text(method)}, {text(path)}, {head}, {text(body) if body else 'nil'}}}")
    return "{\n" + ",\n".join(rows) + "\n}"


def tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss(pid: int) -> dict[str, int]:
    """RSS in KiB of each process of the server's tree, by role."""
    sizes: dict[str, int] = {}
    for member in tree(pid):
        try:
            status = Path(f"/proc/{member}/status").read_text()
            cmd = Path(f"/proc/{member}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if not match:
            continue
        role = (
            "query worker" if "store.worker" in cmd else ("server main" if member == pid else "server worker")
        )
        sizes[f"{role} {member}"] = int(match.group(1))
    return sizes


def show_rss(label: str, sizes: dict[str, int]) -> None:
    total = sum(sizes.values())
    parts = ", ".join(f"{k}: {v / 1024:.0f}" for k, v in sorted(sizes.items()))
    print(f"RSS {label}: {total / 1024:.0f} MiB in {len(sizes)} processes ({parts})", flush=True)


# One client sends the whole mix: its per-client limits are lifted (tests/test_fairness_*.py and
# benchmarks/abuse.py measure them).
LIFTED = {
    "TWINGRAPH_RATE_LIMIT": "1000000000",
    "TWINGRAPH_CLIENT_QUERIES": "1000000",
    "TWINGRAPH_CLIENT_QUERY_SECONDS": "1000000000",
    "TWINGRAPH_CLIENT_SLOW_QUERIES": "1000000",
}


def start(
    dist: Path, port: int, log: Path, settings: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """``twingraph serve`` on ``dist`` with ``settings`` (TWINGRAPH_* variables; default: LIFTED)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINGRAPH_")}
    env.update(TWINGRAPH_DIST_DIR=str(dist), **(LIFTED if settings is None else settings))
    command = [str(BIN / "twingraph"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"twingraph serve exited:\n{log.read_text()}")
        try:
            fetch(f"http://127.0.0.1:{port}/health")
            return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    sys.exit("twingraph serve did not answer within 120 s")


def wrk(url: str, script: Path, seconds: float, connections: int, threads: int) -> dict[str, object]:
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "30s",
        "-s",
        str(script),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 120)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        sys.exit(f"wrk gave no result:\n{done.stdout}\n{done.stderr}")
    result: dict[str, object] = json.loads(line.removeprefix("RESULT "))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="release folder (default: dist)")
    parser.add_argument("--url", help="measure a server that is already running instead of starting one")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--soak", action="store_true", help="sample the servers' RSS every minute")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `make sysdeps` installs it (Debian package wrk)")
    work = Path(tempfile.mkdtemp(prefix="twingraph-load-"))
    server = None
    url = args.url
    if url is None:
        port = free_port()
        server = start(args.dist, port, work / "server.log")
        url = f"http://127.0.0.1:{port}"
    try:
        requests = mix(url)
        script = work / "mix.lua"
        script.write_text(LUA.replace("{REQUESTS}", lua_table(requests)), encoding="utf-8")
        print(f"{len(requests)} requests in the mix; warming up for 10 s", flush=True)
        wrk(url, script, 10, 8, 1)
        before = rss(server.pid) if server else {}
        if server:
            show_rss("before", before)
        samples: list[tuple[float, int]] = []
        stop = threading.Event()

        def sample() -> None:
            started = time.monotonic()
            while not stop.wait(60):
                sizes = rss(server.pid) if server else {}
                samples.append((time.monotonic() - started, sum(sizes.values())))
                print(f"  {samples[-1][0]:4.0f} s: RSS {samples[-1][1] / 1024:.0f} MiB", flush=True)

        sampler = threading.Thread(target=sample, daemon=True)
        if args.soak and server:
            sampler.start()
        print(f"load: {args.duration:g} s at {args.connections} connections on {url}", flush=True)
        result = wrk(url, script, args.duration, args.connections, args.threads)
        stop.set()
        after = rss(server.pid) if server else {}
    finally:
        if server:
            server.terminate()
            server.wait(timeout=60)
    seconds = float(result["seconds"])  # type: ignore[arg-type]
    total = int(result["requests"])  # type: ignore[call-overload]
    errors = int(result["http_errors"]) + int(result["socket_errors"]) + int(result["timeouts"])  # type: ignore[call-overload]
    print(f"requests: {total} in {seconds:.1f} s; throughput: {total / seconds:.1f} requests/s")
    print(
        f"latency: p50 {result['p50_ms']:.1f} ms, p90 {result['p90_ms']:.1f} ms, "
        f"p99 {result['p99_ms']:.1f} ms, max {result['max_ms']:.1f} ms"
    )
    print(f"statuses: {result['statuses']}")
    print(
        f"errors: {errors} (HTTP >= 400: {result['http_errors']}, socket: {result['socket_errors']}, "
        f"timeouts: {result['timeouts']})"
    )
    if server:
        show_rss("before", before)
        show_rss("after", after)
        grown = (sum(after.values()) - sum(before.values())) / 1024
        print(f"RSS change: {grown:+.0f} MiB")
    if errors:
        sys.exit(1)


if __name__ == "__main__":
    main()
