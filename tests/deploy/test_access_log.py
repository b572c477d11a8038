"""The server's access log (``TWINGRAPH_ACCESS_LOG``): a line per request in Granian's format,
``[time] address - "METHOD path protocol" status milliseconds``, written by the app in batches; none
with the setting 0 (a deployment whose nginx logs the requests)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from support.servers import RunningServer, twingraph_server
from twingraph.access_log import FLUSH_SECONDS
from twingraph.config import Settings

pytestmark = pytest.mark.server

LINE = re.compile(
    r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] 127\.0\.0\.1 - "
    r'"(GET|POST) (\S+) HTTP/1\.1" (\d{3}) \d+\.\d{3}$'
)


def _logged(server: RunningServer) -> list[tuple[str, str, str]]:
    return [m.groups() for m in map(LINE.match, server.log_text().splitlines()) if m]


def _wait_for_lines(server: RunningServer, count: int) -> list[tuple[str, str, str]]:
    deadline = time.monotonic() + 10 * FLUSH_SECONDS + 5
    while len(found := _logged(server)) < count and time.monotonic() < deadline:
        time.sleep(FLUSH_SECONDS / 2)
    return found


def test_each_request_is_logged_with_its_status(release_settings: Settings, tmp_path: Path) -> None:
    with twingraph_server(release_settings, tmp_path / "server.log") as server:
        before = len(_wait_for_lines(server, 1))  # the start-up's /health requests
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/doc/city/dortmund").status_code == 200
            assert client.get("/doc/city/dortmund").status_code == 200  # a render-cache hit
            assert client.get("/id/city/atlantis").status_code == 404
            query = "ASK { ?s ?p ?o }"
            assert client.post("/sparql", data={"query": query}).status_code == 200
        lines = _wait_for_lines(server, before + 4)[before:]
    assert lines == [
        ("GET", "/doc/city/dortmund", "200"),
        ("GET", "/doc/city/dortmund", "200"),
        ("GET", "/id/city/atlantis", "404"),
        ("POST", "/sparql", "200"),
    ]


def test_no_line_with_the_access_log_off(release_settings: Settings, tmp_path: Path) -> None:
    with twingraph_server(release_settings, tmp_path / "server.log", access_log="0") as server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/doc/city/dortmund").status_code == 200
        time.sleep(4 * FLUSH_SECONDS)
        assert _logged(server) == []
