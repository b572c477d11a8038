"""The server's access log: one line per request, in Granian's format, written in batches.

Granian's own access log calls back into Python after each response: the worker's thread takes the GIL
once more, builds a ``logging`` record, and a ``StreamHandler`` takes its lock and flushes stdout (a
system call) for every request. On a cached page that was about 40% of the server's CPU per request
(docs/benchmarks.md). :class:`AccessLog` writes the same line from inside the request, while the thread
holds the GIL anyway: it formats it and appends it to a queue, and a daemon thread writes what has
queued up every :data:`FLUSH_SECONDS` (and at exit), with one write and one flush per batch.

The time is when the request arrived, the duration the app's (Granian's counted until the response
had been handed over, the body included); the address is the socket's peer, as Granian logs it.

>>> import io
>>> out = io.StringIO()
>>> lines = BatchedLines(out)
>>> def app(environ, start_response):
...     start_response("200 OK", [("Content-Type", "text/plain")])
...     return [b"ok"]
>>> logged = AccessLog(app, lines)
>>> environ = {"REMOTE_ADDR": "127.0.0.1", "REQUEST_METHOD": "GET", "PATH_INFO": "/doc/city/dortmund",
...            "SERVER_PROTOCOL": "HTTP/1.1"}
>>> logged(environ, lambda status, headers, exc_info=None: None)
[b'ok']
>>> lines.flush()
>>> out.getvalue().split("] ", 1)[1].rsplit(" ", 1)[0]
'127.0.0.1 - "GET /doc/city/dortmund HTTP/1.1" 200'
"""

from __future__ import annotations

import atexit
import collections
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO

FLUSH_SECONDS = 0.25

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class BatchedLines:
    """Lines queued by any thread, written by one daemon thread every :data:`FLUSH_SECONDS`."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._queue: collections.deque[str] = collections.deque()  # append/popleft: thread-safe
        self._writer: threading.Thread | None = None
        self._lock = threading.Lock()

    def add(self, line: str) -> None:
        """Queue a line (no lock per line)."""
        self._queue.append(line)
        if self._writer is None:
            self._start_writer()

    def flush(self) -> None:
        """Write every queued line now."""
        lines = []
        with self._lock:
            while True:
                try:
                    lines.append(self._queue.popleft())
                except IndexError:
                    break
            if lines:
                stream = self._stream or sys.stdout
                stream.write("\n".join(lines) + "\n")
                stream.flush()

    def _start_writer(self) -> None:
        # Started by the first line in each process (Granian's workers are fresh processes).
        with self._lock:
            if self._writer is not None:
                return
            self._writer = threading.Thread(target=self._write_batches, name="access-log", daemon=True)
            self._writer.start()
        atexit.register(self.flush)

    def _write_batches(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            self.flush()


class AccessLog:
    """WSGI middleware: a line per request, ``[time] addr - "METHOD path protocol" status ms``."""

    def __init__(self, app: WsgiApp, lines: BatchedLines) -> None:
        self.app = app
        self.lines = lines
        self._second = -1
        self._stamp = ""

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        arrived, started = time.time(), time.perf_counter()
        status = ["-"]

        def start(code: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[0] = code[:3]
            return start_response(code, headers, exc_info)

        body = self.app(environ, start)
        elapsed = (time.perf_counter() - started) * 1000
        self.lines.add(
            f"[{self._time(arrived)}] {environ.get('REMOTE_ADDR', '-')} - "
            f'"{environ.get("REQUEST_METHOD", "-")} {environ.get("PATH_INFO", "")} '
            f'{environ.get("SERVER_PROTOCOL", "-")}" {status[0]} {elapsed:.3f}'
        )
        return body

    def _time(self, moment: float) -> str:
        second = int(moment)
        if second != self._second:  # formatted once a second, not per request
            self._stamp, self._second = time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(second)), second
        return self._stamp
