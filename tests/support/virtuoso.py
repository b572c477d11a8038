"""A private Virtuoso 7 server for tests and benchmarks: `virtuoso-t` on 127.0.0.1, stopped at the end.

The Debian package `virtuoso-opensource-7-bin` (Makefile DEBS, installed by `make test`) gives the
binary; everything else is ours: a `virtuoso.ini` in a temporary folder (the database files beside
it), free ports for SQL and HTTP bound to 127.0.0.1, the server in the foreground (never a daemon),
a bounded wait for its HTTP endpoint. The database is new, so the users are Virtuoso's defaults
(dba/dba), reachable from this machine only for the lifetime of the server.

`virtuoso_server` is a session fixture (registered in conftest.py) so that one server serves every
test: each release loaded into it has its own merge graph, so releases do not see each other.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.ports import free_port

BINARY = "virtuoso-t"
USER, PASSWORD = "dba", "dba"  # a fresh database's administrator; loopback only, deleted at the end
START_TIMEOUT = 60.0  # seconds; a new database takes about 6 s on this machine, a restart about 3 s

INI = """\
; Written by tests/support/virtuoso.py: a throw-away Virtuoso on 127.0.0.1.
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
ThreadsPerQuery = 2
MaxQueryMem = 1G
; ORDER BY with a LIMIT above this fails (SR353); Virtuoso's default is 10,000, below the app's limit.
MaxSortedTopRows = 1000000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = {threads}
MaxClientConnections = {threads}
MaxKeepAlives = {threads}
EnabledGzipContent = 0

[SPARQL]
; Above the app's result limit, so that the app (not Virtuoso) cuts answers and says so.
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = {timeout_s}
"""


def virtuoso_binary() -> str:
    """The `virtuoso-t` command (Debian package virtuoso-opensource-7-bin)."""
    found = shutil.which(BINARY)
    if not found:
        raise RuntimeError(
            "virtuoso-t is missing: `make sysdeps` (run by `make test`) installs virtuoso-opensource-7-bin"
        )
    return found


@dataclass
class VirtuosoServer:
    """A running `virtuoso-t` over a database in ``folder``."""

    folder: Path
    http_port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        """The public, read-only SPARQL endpoint."""
        return f"{self.url}/sparql"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint that writes (HTTP digest authentication)."""
        return f"{self.url}/sparql-graph-crud-auth"

    @property
    def update_url(self) -> str:
        """The SPARQL endpoint that accepts updates (HTTP digest authentication)."""
        return f"{self.url}/sparql-auth"

    def log(self) -> str:
        """The server's error log (why it did not start, or what it complained about)."""
        path = self.folder / "virtuoso.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        """Stop the server (SIGTERM makes Virtuoso checkpoint and exit) and wait for it."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_virtuoso(
    folder: Path, timeout_s: int = 5, threads: int = 10, buffers: int = 10000
) -> VirtuosoServer:
    """Write a virtuoso.ini into ``folder`` and start `virtuoso-t` on it; return once SPARQL answers.

    ``timeout_s`` is Virtuoso's own query time limit (``MaxQueryExecutionTime``); ``buffers`` its page
    cache in 8 KiB pages (10,000: about 80 MiB).
    """
    folder.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        INI.format(
            dir=folder,
            sql_port=sql_port,
            http_port=http_port,
            timeout_s=timeout_s,
            threads=threads,
            buffers=buffers,
            dirty_buffers=buffers * 3 // 4,
        ),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [virtuoso_binary(), "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = VirtuosoServer(folder, http_port, process)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"virtuoso-t stopped (exit {process.returncode}):\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.query_url}?query=ASK%7B%7D", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"virtuoso-t did not answer within {START_TIMEOUT:g} s:\n{server.log()}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One Virtuoso server for the whole test session (query time limit 5 s)."""
    try:
        server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    except RuntimeError as exc:
        pytest.fail(str(exc))
    yield server
    server.stop()
