"""Helpers of the hardening tests (fuzz, faults, security): what a sane answer is, and a real server.

Imported by the test modules that use them, not a conftest. Servers listen on 127.0.0.1 only and are
always stopped (their whole process group, which holds only what they started).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from twingraph.config import PROJECT_DIR, Settings
from twingraph.serve import settings_environment

# Text that must never reach a client: stack traces and where the code or data lives.
LEAKS = (
    "Traceback (most recent call last)",
    'File "/',
    "site-packages",
    str(PROJECT_DIR),
    sys.prefix,
)


def leaks(body: bytes | str, extra: tuple[str, ...] = ()) -> list[str]:
    """The tell-tale strings of a stack trace or a server path found in ``body``."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return [marker for marker in (*LEAKS, *extra) if marker and marker in text]


def check_answer(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    where: str,
    method: str = "GET",
    private: tuple[str, ...] = (),
) -> None:
    """Assert the rules every answer keeps under hostile input.

    No 5xx but the intended 503 with Retry-After; every 4xx carries a message saying what was wrong;
    no stack trace or server path in any body.
    """
    assert status < 500 or (status == 503 and headers.get("Retry-After")), f"{where}: {status} {body[:300]!r}"
    if 400 <= status < 500 and method != "HEAD":
        text = body.decode("utf-8", "replace").strip()
        assert len(text) >= 10, f"{where}: {status} without a message: {body[:200]!r}"
    found = leaks(body, private)
    assert not found, f"{where}: the answer shows {found}: {body[:500]!r}"


def private_paths(settings: Settings) -> tuple[str, ...]:
    """The folders of a test's release and database: no answer may name them."""
    paths = [str(settings.dist_dir.resolve())]
    if settings.store_cache_dir:
        paths.append(settings.store_cache_dir)
    return tuple(paths)


def get_status(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    """GET ``url``: status, headers, body (HTTP errors are answers too)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@dataclass
class RunningServer:
    """A ``twingraph serve`` process and where it listens."""

    process: subprocess.Popen[bytes]
    url: str
    port: int
    log: Path

    def log_text(self) -> str:
        """What the server has logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def process_tree(self) -> list[int]:
        """PIDs of the server and of every process below it."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError):
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found


def serve_command(port: int, workers: int) -> list[str]:
    """``twingraph serve`` on 127.0.0.1:``port``, as a user runs it."""
    binary = Path(sys.executable).parent / "twingraph"
    return [str(binary), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]


def server_environment(settings: Settings, **overrides: str) -> dict[str, str]:
    """The environment of a server for ``settings``: no TWINGRAPH_* of the caller leaks in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWINGRAPH_")}
    env.update(settings_environment(settings))
    env.update({f"TWINGRAPH_{k.upper()}": v for k, v in overrides.items()})
    return env


@contextlib.contextmanager
def twingraph_server(
    settings: Settings, log: Path, workers: int = 1, start_timeout: float = 60.0, **overrides: str
) -> Iterator[RunningServer]:
    """Run ``twingraph serve`` for ``settings`` on a free port until /health answers; stop it after."""
    from sparql_support import free_port

    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            serve_command(port, workers),
            env=server_environment(settings, **overrides),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped as a whole at the end
        )
    server = RunningServer(process, f"http://127.0.0.1:{port}", port, log)
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if process.poll() is not None:
                raise AssertionError(
                    f"twingraph serve exited with {process.returncode}:\n{server.log_text()}"
                )
            with contextlib.suppress(OSError):
                if get_status(server.url + "/health", timeout=2)[0] == 200:
                    break
            if time.monotonic() > deadline:
                raise AssertionError(f"twingraph serve did not answer within {start_timeout} s")
            time.sleep(0.2)
        yield server
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen[bytes], timeout: float = 30.0) -> int:
    """SIGTERM the server (graceful), wait; then SIGKILL its process group if anything is left."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        code = process.wait()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group, if any
    return code


class Trap:
    """An HTTP server on 127.0.0.1 that records every request it gets (and answers 200 with nothing).

    Put its URL wherever a careless program might fetch from; ``requests`` must stay empty.
    """

    def __init__(self) -> None:
        from werkzeug.serving import make_server

        self.requests: list[str] = []

        def record(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
            self.requests.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "0")])
            return [b""]

        self._server = make_server("127.0.0.1", 0, record, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop listening."""
        self._server.shutdown()
        self._thread.join(timeout=5)
