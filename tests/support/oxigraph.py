"""A real `oxigraph serve` on 127.0.0.1: the remote SPARQL endpoint of the tests.

One launcher for every test that needs a SPARQL server that is not ours: the remote store backend,
the Wikidata alignment tests (which query it as they would query Wikidata), the fault tests (which
stop and restart it on the same port).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from support.ports import free_port


def oxigraph_command() -> str:
    """The `oxigraph` CLI of the test environment (the `oxigraph` PyPI package)."""
    beside_python = Path(sys.executable).parent / "oxigraph"
    found = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph command is missing: pip install -e '.[test]' installs it")
    return found


def load_files(files: Sequence[Path], location: Path) -> None:
    """``oxigraph load`` each file into the database folder ``location``."""
    for path in files:
        subprocess.run(
            [oxigraph_command(), "load", "--location", str(location), "--file", str(path)],
            check=True,
            capture_output=True,
            timeout=120,
        )


class OxigraphServer:
    """An `oxigraph serve` process over the database folder ``location``.

    Started at once unless ``start=False``; ``port`` is fixed when given (so that a test can stop and
    restart the same endpoint), free otherwise; ``timeout_s=None`` runs queries without a time limit.
    """

    def __init__(
        self,
        location: Path,
        timeout_s: int | None = 5,
        port: int | None = None,
        start: bool = True,
        start_timeout: float = 30.0,
    ) -> None:
        self.location = location
        self.timeout_s = timeout_s
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.start_timeout = start_timeout
        self.process: subprocess.Popen[bytes] | None = None
        if start:
            self.start()

    @property
    def query_url(self) -> str:
        """The SPARQL query endpoint."""
        return f"{self.url}/query"

    @property
    def store_url(self) -> str:
        """The Graph Store Protocol endpoint."""
        return f"{self.url}/store"

    @property
    def update_url(self) -> str:
        """The SPARQL update endpoint."""
        return f"{self.url}/update"

    def start(self) -> None:
        """Start serving and wait until a query answers."""
        command = [oxigraph_command(), "serve", "--location", str(self.location)]
        command += ["--bind", f"127.0.0.1:{self.port}"]
        if self.timeout_s is not None:
            command += ["--timeout-s", str(self.timeout_s)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"oxigraph serve stopped: {err}")
            try:
                with urllib.request.urlopen(f"{self.query_url}?query=ASK%7B%7D", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(
                        f"oxigraph serve did not answer within {self.start_timeout} s"
                    ) from None
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), then kill if it does not end within 10 s."""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._close()

    def kill(self) -> None:
        """Kill at once (SIGKILL), as a crash would."""
        if self.process is None:
            return
        self.process.kill()
        self.process.wait(timeout=10)
        self._close()

    def _close(self) -> None:
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None


@contextmanager
def oxigraph_server(files: Sequence[Path], location: Path) -> Iterator[str]:
    """Load ``files`` into a store at ``location``, serve it, yield the query endpoint URL, stop it."""
    load_files(files, location)
    server = OxigraphServer(location, timeout_s=None)
    try:
        yield server.query_url
    finally:
        server.stop()
