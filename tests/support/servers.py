"""Real HTTP servers for the tests, always on 127.0.0.1 and always stopped.

``serving``: an app in a thread of the test process (werkzeug's threaded server), for real clients.
``twingraph_server``: ``twingraph serve`` as a user runs it, in its own process group.
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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from support.ports import free_port
from twingraph.config import Settings
from twingraph.serve import settings_environment


@contextlib.contextmanager
def serving(application: Flask | Callable[..., Iterable[bytes]], host: str = "127.0.0.1") -> Iterator[str]:
    """Serve a WSGI app (ours or a test's stand-in) on ``host`` in a thread; yield its base URL.

    ``host`` is a loopback name: "localhost" gives a page another origin than 127.0.0.1 does.
    """
    server: BaseWSGIServer = make_server(host, 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


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
