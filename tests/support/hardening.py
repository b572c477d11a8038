"""Helpers of the hardening tests (fuzz, faults, security): what a sane answer is, and a trap server."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Mapping

from twingraph.config import PROJECT_DIR, Settings

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
