"""The deployment recipe of docs/deploy.md: two `twingraph serve` processes behind a real nginx on loopback.

nginx runs with the shipped site template (deploy/nginx-site.conf.template) wrapped in a minimal main
configuration whose files all live in the test's temporary folder; only 127.0.0.1 and 127.0.0.2 (both
loopback) are used. nginx is a Debian package of `make sysdeps`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from string import Template

import httpx
import pytest

from support.ports import free_port
from twingraph.config import PROJECT_DIR, Settings

pytestmark = pytest.mark.server

TEMPLATE = PROJECT_DIR / "deploy" / "nginx-site.conf.template"
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/twingraph/id/city/amiens> ?p ?o }"
RATE_LIMIT = 3  # requests per minute and client, in each app process
TWINGRAPH = str(Path(sys.executable).parent / "twingraph")


@dataclass
class Deployment:
    url: str
    app_ports: list[int]
    apps: list[subprocess.Popen[bytes]]
    access_log: Path


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def render_site(listen: str, upstreams: list[int], cache_dir: Path) -> str:
    """The site template with its placeholders filled in (as envsubst would; nginx's own $vars stay)."""
    lines = " ".join(f"server 127.0.0.1:{port} max_fails=3 fail_timeout=10s;" for port in upstreams)
    return Template(TEMPLATE.read_text(encoding="utf-8")).safe_substitute(
        TWINGRAPH_LISTEN=listen,
        TWINGRAPH_SERVER_NAME="localhost",
        TWINGRAPH_UPSTREAMS=lines,
        TWINGRAPH_CACHE_DIR=str(cache_dir),
    )


def main_config(folder: Path, site: Path) -> str:
    """A main nginx.conf that keeps every file in ``folder`` and logs which upstream answered."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach the test's private folder
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    log_format upstream '$remote_addr $upstream_addr $status $request_method $uri';
    access_log {folder / "access.log"} upstream;
{temp}
    include {site};
}}
"""


@pytest.fixture(scope="module")
def deployment(release_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None:
        pytest.fail("nginx is not installed: `make sysdeps` installs it (Debian package nginx)")
    folder = tmp_path_factory.mktemp("nginx")
    ports = [free_port(), free_port()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINGRAPH_")}
    env.update(
        TWINGRAPH_DIST_DIR=str(release_settings.dist_dir),
        TWINGRAPH_IMPORTS_DIR=str(release_settings.imports_dir),
        TWINGRAPH_STORE_CACHE_DIR=str(folder / "store-cache"),
        TWINGRAPH_WORKERS="1",
        TWINGRAPH_QUERY_WORKERS="1",
        TWINGRAPH_PROXY_HOPS="1",
        TWINGRAPH_RATE_LIMIT=str(RATE_LIMIT),
    )
    apps: list[subprocess.Popen[bytes]] = []
    proxy: subprocess.Popen[bytes] | None = None
    try:
        for port in ports:
            log = folder / f"app-{port}.log"
            command = [TWINGRAPH, "serve", "--host", "127.0.0.1", "--port", str(port)]
            with log.open("wb") as out:
                apps.append(
                    subprocess.Popen(
                        command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
                    )
                )
            _wait(f"http://127.0.0.1:{port}/health", apps[-1], log)
        listen = free_port()
        site = folder / "twingraph-site.conf"
        site.write_text(render_site(f"127.0.0.1:{listen}", ports, folder / "cache"), encoding="utf-8")
        config = folder / "nginx.conf"
        config.write_text(main_config(folder, site), encoding="utf-8")
        checked = subprocess.run(
            [nginx, "-t", "-p", str(folder), "-c", str(config)], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stderr
        proxy = subprocess.Popen(
            [nginx, "-p", str(folder), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        _wait(f"http://127.0.0.1:{listen}/health", proxy, folder / "error.log")
        yield Deployment(f"http://127.0.0.1:{listen}", ports, apps, folder / "access.log")
    finally:
        if proxy is not None:
            _stop(proxy)
        for app in apps:
            _stop(app)


def _upstreams(log: Path) -> list[str]:
    """The upstream address of each request nginx logged (``-`` for cache hits)."""
    return [line.split()[1] for line in log.read_text().splitlines() if line.strip()]


def test_both_app_processes_serve_through_nginx(deployment: Deployment) -> None:
    before = len(_upstreams(deployment.access_log))
    with httpx.Client(base_url=deployment.url, timeout=30) as client:
        for _ in range(6):
            assert client.get("/health").status_code == 200
        page = client.get("/doc/city/amiens", headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Amiens" in page.text
        turtle = client.get("/doc/city/amiens", headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
        answer = client.post(
            "/sparql", data={"query": LOOKUP}, headers={"Accept": "application/sparql-results+json"}
        )
        assert answer.status_code == 200 and answer.json()["results"]["bindings"]
    time.sleep(0.2)  # nginx writes its access log line after the response
    used = _upstreams(deployment.access_log)[before:]
    assert {f"127.0.0.1:{port}" for port in deployment.app_ports} <= set(used)


def test_pages_are_cached_per_variant(deployment: Deployment) -> None:
    """nginx keeps a page once rendered, apart for each Accept (HTML and Turtle never mix)."""
    with httpx.Client(base_url=deployment.url, timeout=30) as client:
        path = "/doc/partnership/dortmund-amiens"
        html, turtle = [], []
        for _ in range(2):  # alternately: one variant must not evict the other
            html.append(client.get(path, headers={"Accept": "text/html"}))
            turtle.append(client.get(path, headers={"Accept": "text/turtle"}))
    assert [r.headers["X-Cache-Status"] for r in html] == ["MISS", "HIT"]
    assert [r.headers["X-Cache-Status"] for r in turtle] == ["MISS", "HIT"]
    assert all(r.headers["content-type"].startswith("text/html") for r in html)
    assert all(r.headers["content-type"].startswith("text/turtle") for r in turtle)
    assert html[0].text == html[1].text and turtle[0].text == turtle[1].text


def test_links_carry_the_public_host(deployment: Deployment) -> None:
    description = httpx.get(
        deployment.url + "/sparql", headers={"Accept": "text/turtle", "Host": "data.example.org"}, timeout=30
    )
    assert description.status_code == 200
    assert "<http://data.example.org/sparql>" in description.text


def test_rate_limit_counts_each_client_behind_the_proxy(deployment: Deployment) -> None:
    """The apps read the client's address from X-Forwarded-For: one client's 429 is not another's."""
    statuses = []
    with httpx.Client(base_url=deployment.url, timeout=30) as first:
        for _ in range(2 * RATE_LIMIT + 2):  # each process allows RATE_LIMIT a minute
            statuses.append(first.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}).status_code)
            if statuses[-1] == 429:
                break
    assert statuses[-1] == 429, statuses
    transport = httpx.HTTPTransport(local_address="127.0.0.2")  # another loopback address: another client
    with httpx.Client(base_url=deployment.url, timeout=30, transport=transport) as second:
        assert second.post("/sparql", data={"query": "ASK { ?s ?p ?o }"}).status_code == 200


def test_nginx_fails_over_when_a_process_stops(deployment: Deployment) -> None:
    """The app is stateless: with one process gone, every request still gets an answer from the other."""
    _stop(deployment.apps[0])
    with httpx.Client(base_url=deployment.url, timeout=30) as client:
        for _ in range(6):
            assert client.get("/health").status_code == 200
            assert client.get("/doc/city/dortmund", headers={"Accept": "text/turtle"}).status_code == 200
