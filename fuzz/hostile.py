"""Hostile raw HTTP requests, generated with hypothesis and sent over plain sockets.

What schemathesis (which speaks well-formed HTTP from the OpenAPI description) does not send: raw
bytes in the request target (invalid UTF-8, NUL, ``..``, encoded slashes), bodies in UTF-16 or
broken UTF-8 with and without a declared charset, garbage Accept and Accept-Language headers.
The strategies are the ones of the bounded tests (tests/support/fuzz_inputs.py).
"""

from __future__ import annotations

import http.client
import socket
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from support.fuzz_inputs import (
    accept_headers,
    content_types,
    encodings,
    hostile_text,
    language_headers,
    path_segments,
    reconcile_batches,
    sparql_queries,
)

PREFIXES = [
    "/id/city",
    "/doc/partnership",
    "/doc",
    "/dumps",
    "/dumps/latest",
    "/list",
    "/reconcile/preview",
    "/sparql/examples",
    "/static",
    "/search",
    "",
]


@dataclass
class Tally:
    """What the fuzzed server answered."""

    statuses: Counter[int] = field(default_factory=Counter)
    unintended_5xx: list[str] = field(default_factory=list)
    silent_4xx: list[str] = field(default_factory=list)
    no_answer: int = 0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + self.no_answer


def send(port: int, request: bytes) -> tuple[int, dict[str, str], bytes] | None:
    """Send raw bytes; the parsed answer, or None when the server closed without one."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
            sock.sendall(request)
            response = http.client.HTTPResponse(sock)
            response.begin()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    except (http.client.HTTPException, ConnectionError):
        return None


def build(method: str, target: bytes, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [f"{k}: ".encode() + v.encode("latin-1", "replace") for k, v in headers.items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def record(tally: Tally, what: str, answer: tuple[int, dict[str, str], bytes] | None) -> None:
    if answer is None:
        tally.no_answer += 1
        return
    status, headers, body = answer
    tally.statuses[status] += 1
    if status >= 500 and not (status == 503 and headers.get("retry-after")):
        tally.unintended_5xx.append(f"{status} {what} {body[:200]!r}")
    # Answers of the app carry its security headers; the HTTP layer's own 400s have no body to speak of.
    if 400 <= status < 500 and "content-security-policy" in headers and len(body.strip()) < 10:
        tally.silent_4xx.append(f"{status} {what}")


def raw_target(segments: list[str], raw: bool) -> bytes:
    joined = "/".join(segments)
    if raw:  # bytes as they come, invalid UTF-8 included
        return joined.encode("utf-8", "surrogateescape").replace(b" ", b"%20").replace(b"\xc3", b"\xff")
    return quote(joined, safe="/%").encode()


def run(port: int, examples: int, tally: Tally) -> None:
    """Send about ``4 * examples`` hostile requests to the server on ``port``."""
    fuzz = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )

    @fuzz
    @given(
        prefix=st.sampled_from(PREFIXES),
        segments=st.lists(path_segments, min_size=1, max_size=4),
        raw=st.booleans(),
        accept=accept_headers,
        languages=language_headers,
    )
    def paths(prefix: str, segments: list[str], raw: bool, accept: str, languages: str) -> None:
        target = prefix.encode() + b"/" + raw_target(segments, raw)
        headers = {"Accept": accept, "Accept-Language": languages}
        record(tally, f"GET {target[:120]!r}", send(port, build("GET", target, headers)))

    @fuzz
    @given(data=st.data(), query=sparql_queries, content_type=content_types, accept=accept_headers)
    def sparql_bodies(data: st.DataObject, query: str, content_type: str, accept: str) -> None:
        body = data.draw(st.one_of(encodings(query), st.binary(max_size=500)))
        headers = {"Content-Type": content_type, "Accept": accept}
        record(
            tally,
            f"POST /sparql {content_type} {body[:80]!r}",
            send(port, build("POST", b"/sparql", headers, body)),
        )

    @fuzz
    @given(query=sparql_queries, accept=accept_headers)
    def sparql_gets(query: str, accept: str) -> None:
        target = b"/sparql?query=" + quote(query, safe="").encode()
        record(tally, f"GET /sparql {query[:80]!r}", send(port, build("GET", target, {"Accept": accept})))

    @fuzz
    @given(
        data=st.data(),
        batch=reconcile_batches(),
        callback=st.one_of(st.none(), hostile_text),
        languages=language_headers,
    )
    def reconcile(data: st.DataObject, batch: str, callback: str | None, languages: str) -> None:
        body = data.draw(encodings("queries=" + quote(batch, safe="")))
        target = b"/reconcile" + (
            b"?callback=" + quote(callback, safe="").encode() if callback is not None else b""
        )
        content_type = data.draw(
            st.sampled_from(
                [
                    "application/x-www-form-urlencoded",
                    "application/x-www-form-urlencoded; charset=utf-16",
                    "text/plain",
                ]
            )
        )
        headers = {"Content-Type": content_type, "Accept-Language": languages}
        record(tally, f"POST /reconcile {body[:80]!r}", send(port, build("POST", target, headers, body)))

    for test in (paths, sparql_bodies, sparql_gets, reconcile):
        test()
