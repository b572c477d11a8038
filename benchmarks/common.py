"""What the benchmark scripts share: releases to measure, servers to start, wrk to drive them, tables.

Every script prints its figures beside a peer measured in the same run on the same data, as ratios:
absolute times depend on the machine, ratios much less. Servers are started as subprocesses on free
ports of 127.0.0.1 and always stopped (their whole process group) when a script ends; nothing else
is ever contacted.

Work folder (``--work``, default ``$TMPDIR/twingraph-bench``): one sub-folder per dataset size
(``world``, ``1M``, ``10k``, ...) holding ``imports/`` (the generated TriG), ``dist/`` (the built
release), the peers' databases and logs. A release that is already built is reused, so a second run
measures without rebuilding; delete the folder to start afresh.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_WORK = Path(tempfile.gettempdir()) / "twingraph-bench"
LOOPBACK = "127.0.0.1"


# --- command line ------------------------------------------------------------------------------


def arguments(description: str, sizes: str = "1M") -> argparse.ArgumentParser:
    """The options every benchmark takes: work folder, dataset size, duration, quick (smoke) mode."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="work folder (releases, databases)")
    parser.add_argument("--size", default=sizes, help="'world' or a generated size such as 10k, 1M")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per measurement")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke mode: 10k generated triples (unless --size), 2-second measurements",
    )
    return parser


# Seconds of CPU time that Server.wait_idle samples at a time. A smoke run (--quick) measures nothing
# that counts, so it waits for a shorter quiet spell: between the cells of bench_sparql's smoke run the
# full window alone took two minutes (50 cells, 5 servers).
IDLE_WINDOW = 0.5
QUICK_IDLE_WINDOW = 0.1


def settle(args: argparse.Namespace) -> argparse.Namespace:
    """Apply --quick: small data, short runs (an explicit --duration or --size still wins)."""
    global IDLE_WINDOW
    if args.quick:
        if "--duration" not in sys.argv:
            args.duration = 2.0
        if "--size" not in sys.argv:
            args.size = "10k"
        IDLE_WINDOW = QUICK_IDLE_WINDOW
    return args


# --- releases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Release:
    """A built release of one dataset size, and the environment that serves or rebuilds it."""

    name: str
    folder: Path  # <work>/<name>
    env: dict[str, str]

    @property
    def dist(self) -> Path:
        return self.folder / "dist"

    @property
    def latest(self) -> Path:
        return (self.dist / "latest").resolve()

    @property
    def imports(self) -> Path:
        return self.folder / "imports"


def environment(folder: Path, **extra: str) -> dict[str, str]:
    """The process environment of twingraph commands working on ``folder``'s imports and release.

    The per-client limits are lifted (a load generator is one client sending thousands of requests).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINGRAPH_")}
    env.update(
        TWINGRAPH_IMPORTS_DIR=str(folder / "imports"),
        TWINGRAPH_DIST_DIR=str(folder / "dist"),
        TWINGRAPH_STORE_CACHE_DIR=str(folder / "oxigraph-cache"),
        TWINGRAPH_RATE_LIMIT=str(10**9),
        TWINGRAPH_CLIENT_QUERIES=str(10**6),
        TWINGRAPH_CLIENT_QUERY_SECONDS=str(10**9),
        TWINGRAPH_CLIENT_SLOW_QUERIES=str(10**6),
    )
    env.update(extra)
    return env


def twingraph(*args: str) -> list[str]:
    """The command line of a twingraph subcommand in this environment."""
    return [str(BIN / "twingraph"), *args]


def prepare_imports(name: str, folder: Path, env: dict[str, str]) -> None:
    """Write the imports of a dataset: the world snapshot, or a synthetic graph of ``name`` triples."""
    folder.joinpath("imports").mkdir(parents=True, exist_ok=True)
    if name == "world":
        subprocess.run(twingraph("import", "world-twinnings"), env=env, check=True, capture_output=True)
    else:
        out = folder / "imports" / "synthetic.trig"
        command = [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            "--triples",
            name,
            "--out",
            str(out),
        ]
        subprocess.run(command, env=env, check=True, capture_output=True)


def release(work: Path, name: str, log: bool = True) -> Release:
    """The release of dataset ``name`` ('world' or a size like '1M'), imported and built if missing."""
    folder = work / name
    env = environment(folder)
    found = Release(name, folder, env)
    if (folder / "dist" / "latest" / "twingraph.trig").is_file():
        return found
    if log:
        say(f"preparing the {name} release in {folder} (imports, then twingraph build) ...")
    prepare_imports(name, folder, env)
    started = time.perf_counter()
    done = subprocess.run(twingraph("build"), env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"twingraph build failed:\n{done.stderr[-4000:]}")
    if log:
        say(f"built {name} in {time.perf_counter() - started:.0f} s")
    return found


def ntriples(rel: Release) -> Path:
    """The release's union graph as an uncompressed N-Triples file (for peers that read files)."""
    target = rel.folder / "peers" / "twingraph.nt"
    source = rel.latest / "twingraph.nt.gz"
    if not target.is_file() or target.stat().st_mtime < source.stat().st_mtime:
        target.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(source, "rb") as packed, target.open("wb") as plain:
            shutil.copyfileobj(packed, plain)
    return target


def oxigraph_database(rel: Release) -> Path:
    """An Oxigraph database laid out like ours: the named graphs of ``twingraph.trig`` plus their merge in
    the default graph (from ``twingraph.nt.gz``), loaded with ``oxigraph load``."""
    location = rel.folder / "peers" / "oxigraph-db"
    marker = location / ".loaded"
    if marker.is_file():
        return location
    shutil.rmtree(location, ignore_errors=True)
    location.mkdir(parents=True)
    for data in (rel.latest / "twingraph.trig", ntriples(rel)):
        command = [str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(data)]
        subprocess.run(command, check=True, capture_output=True)
    marker.write_text("ok")
    return location


# --- servers -----------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A server process (a group: workers die with it) and its base URL."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    started_in: float = 0.0
    log: Path | None = None

    def pss(self) -> int:
        """Proportional set size (bytes) of the process and all its descendants.

        PSS shares each page among the processes that map it, so forked workers and a database
        mapped by several processes are not counted twice (RSS would count them in every process).
        """
        return sum(_pss(pid) for pid in _tree(self.process.pid))

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the process tree."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in _tree(self.process.pid):
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / ticks

    def wait_idle(self, timeout: float = 180.0) -> None:
        """Wait until the server works off what it still holds (see ``wait_all_idle``)."""
        wait_all_idle([self], timeout)

    def rss(self) -> int:
        """Resident set size (bytes) summed over the process tree (counts shared pages repeatedly)."""
        return sum(_rss(pid) for pid in _tree(self.process.pid))


def wait_all_idle(servers: Sequence[Server], timeout: float = 180.0) -> None:
    """Wait until every one of ``servers`` works off what it still holds (each under 5% of a core for
    IDLE_WINDOW seconds, half a second unless --quick), sampling them all in the same windows.

    wrk stops sending at the end of a run, but a server may go on with a backlog of slow queries;
    the next measurement must not share the cores with it. One window for all the servers, not one
    after another: between the cells of bench_sparql's smoke run five servers are waited for.
    """
    window = IDLE_WINDOW
    # CPU time is counted in clock ticks: a short window still allows one tick of housekeeping.
    quiet = max(0.05 * window, 1.5 / os.sysconf("SC_CLK_TCK"))
    deadline = time.monotonic() + timeout
    busy = list(servers)
    before = [server.cpu_seconds() for server in busy]
    while busy and time.monotonic() < deadline:
        time.sleep(window)
        now = [server.cpu_seconds() for server in busy]
        still = [(s, n) for s, b, n in zip(busy, before, now, strict=True) if n - b >= quiet]
        busy, before = [s for s, _ in still], [n for _, n in still]


def http_status(url: str, timeout: float = 5.0) -> int | None:
    """The status of a GET, or None when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


@contextlib.contextmanager
def serving(
    name: str,
    command: Sequence[str],
    ready_path: str,
    port: int,
    env: dict[str, str] | None = None,
    timeout: float = 300.0,
    log: Path | None = None,
) -> Iterator[Server]:
    """Start ``command``, wait until ``ready_path`` answers 200, yield the server, stop its process group."""
    url = f"http://{LOOPBACK}:{port}"
    out = log.open("wb") if log else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = started + timeout
        while http_status(url + ready_path, timeout=10) != 200:
            if process.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:] if log else ""
                raise RuntimeError(f"{name} exited with {process.returncode} while starting\n{tail}")
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{name} did not answer {url}{ready_path} within {timeout:.0f} s")
            time.sleep(0.05)
        yield Server(name, url, process, time.perf_counter() - started, log)
    finally:
        stop(process)
        if log and not isinstance(out, int):
            out.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a server's whole process group: SIGTERM, then SIGKILL after 10 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    with contextlib.suppress(ProcessLookupError):  # workers that outlived their master
        os.killpg(process.pid, signal.SIGKILL)


def twingraph_server(
    rel: Release, workers: int = 2, extra_env: dict[str, str] | None = None, log_name: str = "twingraph"
) -> contextlib.AbstractContextManager[Server]:
    """``twingraph serve`` (gunicorn, as shipped) on the release, on a free port."""
    port = free_port()
    env = {**rel.env, **(extra_env or {})}
    command = twingraph("serve", "--host", LOOPBACK, "--port", str(port), "--workers", str(workers))
    log = rel.folder / f"{log_name}.log"
    return serving("twingraph", command, "/health", port, env=env, log=log)


def oxigraph_peer(rel: Release) -> contextlib.AbstractContextManager[Server]:
    """``oxigraph serve-read-only`` on the same data (named graphs and their merge as default graph)."""
    location = oxigraph_database(rel)
    port = free_port()
    command = [
        str(BIN / "oxigraph"),
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"{LOOPBACK}:{port}",
    ]
    return serving("oxigraph", command, "/query?query=ASK%7B%7D", port, log=rel.folder / "oxigraph.log")


def rdflib_peer(rel: Release) -> contextlib.AbstractContextManager[Server]:
    """rdflib-endpoint on the same union graph (it reads the N-Triples into an rdflib Graph); its SPARQL
    endpoint is at ``/``."""
    data = ntriples(rel)
    port = free_port()
    command = [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host", LOOPBACK, "--port", str(port)]
    log = rel.folder / "rdflib-endpoint.log"
    return serving("rdflib-endpoint", command, "/?query=ASK%7B%7D", port, timeout=900, log=log)


VIRTUOSO_MERGE = "urn:x-twingraph:merge"  # the named graph holding the merge in the Virtuoso peer


def have_virtuoso() -> bool:
    """True when Virtuoso's server binary is installed (Debian virtuoso-opensource-7-bin)."""
    return shutil.which("virtuoso-t") is not None


@contextlib.contextmanager
def virtuoso_peer(rel: Release, threads: int = 16) -> Iterator[Server]:
    """A private Virtuoso 7 (tests/support/virtuoso.py) holding the release, loaded by ``twingraph
    load-remote``'s code: named graphs, the merge in ``VIRTUOSO_MERGE`` and its manifest. Its SPARQL
    endpoint is ``/sparql``; pass ``default-graph-uri`` to query the merge."""
    sys.path.insert(0, str(ROOT / "tests"))
    from support.virtuoso import PASSWORD, USER, start_virtuoso
    from twingraph.store.load_remote import Credentials, load_remote

    folder = rel.folder / "peers" / "virtuoso"
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    # 100,000 pages of 8 KiB (about 800 MiB) hold the 1M release; query limit as generous as the others'.
    server = start_virtuoso(folder, timeout_s=120, threads=threads, buffers=100_000)
    try:
        load_remote(
            rel.latest,
            server.query_url,
            store_url=server.store_url,
            timeout=1800,
            default_graph=VIRTUOSO_MERGE,
            credentials=Credentials(USER, PASSWORD),
        )
        yield Server("virtuoso", server.url, server.process, time.perf_counter() - started, None)
    finally:
        server.stop()


NGINX_TEMPLATE = ROOT / "deploy" / "nginx-site.conf.template"


def nginx_proxy(folder: Path, upstreams: Sequence[int]) -> contextlib.AbstractContextManager[Server]:
    """nginx on a free port with the deployment's site template (docs/deploy.md) in front of the app
    processes on ``upstreams``; every file of it in ``folder``."""
    from string import Template

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder / "cache", ignore_errors=True)
    port = free_port()
    site = Template(NGINX_TEMPLATE.read_text(encoding="utf-8")).safe_substitute(
        TWINGRAPH_LISTEN=f"{LOOPBACK}:{port}",
        TWINGRAPH_SERVER_NAME="localhost",
        TWINGRAPH_UPSTREAMS=" ".join(f"server {LOOPBACK}:{p};" for p in upstreams),
        TWINGRAPH_CACHE_DIR=str(folder / "cache"),
    )
    (folder / "site.conf").write_text(site, encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "".join(
        f"  {k}_temp_path {folder / k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'} warn;\n"
        f"events {{ worker_connections 1024; }}\nhttp {{\n  access_log off;\n{temp}"
        f"  include {folder / 'site.conf'};\n}}\n",
        encoding="utf-8",
    )
    command = [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"]
    return serving("nginx", command, "/health", port, log=folder / "nginx.out")


def have_nginx() -> bool:
    """True when nginx is installed (Debian package ``nginx``; ``make sysdeps``)."""
    return shutil.which("nginx") is not None or Path("/usr/sbin/nginx").exists()


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _rss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


# --- wrk ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """One HTTP request for wrk. ``@N@`` in path or body becomes a number unique to each request
    when the run varies its requests; ``@C@`` one of the run's values (e.g. a city's IRI), picked by it."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


@dataclass(frozen=True)
class Load:
    """What wrk measured: requests per second, latency percentiles (ms), failed requests."""

    rps: float
    p50: float
    p99: float
    requests: int
    failed: int
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.failed == 0


_LUA = r"""
local requests = %(requests)s
local vary = %(vary)s
local threads = {}
local values = %(values)s
local counter = 0
local count = 0

function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end

local function fill(text, n)
  -- a %% in gsub's replacement must be written %%%%
  local c = values[((n * 7919) %% #values) + 1]:gsub("%%%%", "%%%%%%%%")
  text = text:gsub("@N@", tostring(n)):gsub("@C@", c)
  return text
end

function request()
  local r = requests[(counter %% #requests) + 1]
  counter = counter + 1
  local path, body = r.path, r.body
  if vary then
    local n = 1000 + counter * 64 + (id or 0)
    path, body = fill(path, n), fill(body, n)
  end
  if body == "" then body = nil end
  return wrk.format(r.method, path, r.headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK-JSON {\"requests\": %%d, \"duration_us\": %%d, \"failed\": %%d, \"p50_us\": %%d, \"p99_us\": %%d}\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(text: str) -> str:
    r"""A Lua string literal of ``text``'s UTF-8 bytes (unsafe bytes as three-digit decimal escapes).

    >>> _lua_string('a"b')
    '"a\\034b"'
    """
    safe = b" /-_.:=+%@,;()*?&{}<>#'"
    body = "".join(
        chr(b) if (chr(b).isalnum() and b < 128) or b in safe else f"\\{b:03d}" for b in text.encode()
    )
    return '"' + body + '"'


def lua_script(requests: Sequence[Request], vary: bool, values: Sequence[str] = ("",)) -> str:
    """A wrk Lua script sending ``requests`` round robin (each made unique when ``vary``).

    Without ``vary`` every request is sent as it is, with ``@N@`` 1000 and ``@C@`` the first value.
    """
    if not vary:
        requests = [fixed(r, values[0]) for r in requests]
    items = []
    for r in requests:
        headers = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in r.headers.items())
        items.append(
            f"{{method = {_lua_string(r.method)}, path = {_lua_string(r.path)}, "
            f"headers = {{{headers}}}, body = {_lua_string(r.body)}}}"
        )
    return _LUA % {
        "requests": "{\n  " + ",\n  ".join(items) + "\n}",
        "vary": "true" if vary else "false",
        "values": "{" + ", ".join(_lua_string(v) for v in values or ("",)) + "}",
    }


def fixed(r: Request, value: str) -> Request:
    """``r`` with its placeholders filled in as a run without variation sends it."""

    def fill(text: str) -> str:
        return text.replace("@N@", "1000").replace("@C@", value)

    return Request(r.method, fill(r.path), r.headers, fill(r.body))


def wrk(
    url: str,
    requests: Sequence[Request],
    connections: int,
    duration: float,
    vary: bool = False,
    values: Sequence[str] = ("",),
    timeout: float = 30.0,
) -> Load:
    """Drive ``url`` with wrk (2 threads, or 1 for a single connection) for ``duration`` seconds."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua_script(requests, vary, values))
    try:
        threads = min(2, connections)
        command = [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            f"--timeout={int(timeout)}s",
            "-s",
            script.name,
            url,
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=duration + timeout + 60)
    finally:
        os.unlink(script.name)
    for line in done.stdout.splitlines():
        if line.startswith("WRK-JSON "):
            data = json.loads(line[len("WRK-JSON ") :])
            seconds = data["duration_us"] / 1e6
            return Load(
                rps=data["requests"] / seconds if seconds else 0.0,
                p50=data["p50_us"] / 1000,
                p99=data["p99_us"] / 1000,
                requests=data["requests"],
                failed=data["failed"],
                seconds=seconds,
            )
    raise RuntimeError(f"wrk printed no summary:\n{done.stdout}\n{done.stderr}")


def have_wrk() -> bool:
    """True when the wrk load generator is installed (Debian package ``wrk``; ``make sysdeps``)."""
    return shutil.which("wrk") is not None


def have_command(name: str) -> bool:
    """True when a command of the venv is installed (the peers come with the ``bench`` extra)."""
    return (BIN / name).exists()


NOT_INSTALLED = "not installed (pip install -e '.[bench]')"


# --- figures -----------------------------------------------------------------------------------


def geomean(values: Sequence[float]) -> float:
    """Geometric mean of positive values (0 when one is 0).

    >>> round(geomean([1.0, 4.0]), 6)
    2.0
    """
    if not values or min(values) <= 0:
        return 0.0
    return math.exp(sum(math.log(v) for v in values) / len(values))


def ratio(ours: float, theirs: float) -> str:
    """'2.50x' (ours over theirs), or '-' without a figure to compare with."""
    return f"{ours / theirs:.2f}x" if theirs else "-"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table, columns padded (text left, numbers right)."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    numeric = [_numeric([r[i] for r in cells]) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        padded = [v.rjust(w) if n else v.ljust(w) for v, w, n in zip(values, widths, numeric, strict=True)]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if n else ("-" * (w + 2)) for w, n in zip(widths, numeric, strict=True)
        )
        + "|"
    )
    return "\n".join([line(list(headers)), rule, *(line(r) for r in cells)])


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value >= 100:
            return f"{value:,.0f}"
        return f"{value:.2f}" if value >= 1 else f"{value:.3f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _numeric(column: Sequence[str]) -> bool:
    """A column of numbers, some cells perhaps left empty (or "-"): right-aligned.

    >>> _numeric(["1.5", "", "2,000"]), _numeric(["", "-"]), _numeric(["1", "a"])
    (True, False, False)
    """
    return any(_is_number(c) for c in column) and all(_is_number(c) or c in ("", "-") for c in column)


def _is_number(text: str) -> bool:
    return text.replace(",", "").replace(".", "", 1).replace("x", "").strip().isdigit()


def say(text: str) -> None:
    """Progress on stderr (figures go to stdout)."""
    print(text, file=sys.stderr, flush=True)


def megabytes(value: int) -> float:
    """Bytes to MiB."""
    return value / (1 << 20)
