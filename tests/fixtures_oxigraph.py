"""A real local SPARQL server for tests: `oxigraph load` + `oxigraph serve` on 127.0.0.1.

Used by the Wikidata alignment tests, which query it exactly as they would query Wikidata's
endpoint. Imported by test modules (not a conftest), so that it stays out of other fixtures' way.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


def oxigraph_binary() -> str:
    """The `oxigraph` command of the test environment (the `oxigraph` PyPI package)."""
    beside_python = Path(sys.executable).parent / "oxigraph"
    found = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the oxigraph command is missing: pip install -e '.[test]' installs it")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def oxigraph_server(files: Sequence[Path], location: Path, timeout: float = 30.0) -> Iterator[str]:
    """Load ``files`` into a store at ``location``, serve it, yield the query endpoint URL, stop it."""
    binary = oxigraph_binary()
    for path in files:
        subprocess.run(
            [binary, "load", "--location", str(location), "--file", str(path)],
            check=True,
            capture_output=True,
            timeout=120,
        )
    port = _free_port()
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    endpoint = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"oxigraph serve stopped: {process.stderr.read().decode() if process.stderr else ''}"
                )
            try:
                if httpx.get(endpoint, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"oxigraph serve did not answer on {endpoint} within {timeout} s")
            time.sleep(0.1)
        yield endpoint
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
