"""The Wikidata client: User-Agent, retries and backoff on 429/503, clear errors.

A real HTTP proxy on 127.0.0.1 stands in front of a real `oxigraph serve`: it answers the first
requests with 429 (or 503) as Wikidata's endpoint does when a client goes too fast, then passes
the requests through, and records what arrived.
"""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from email.utils import format_datetime

import httpx
import pytest
from werkzeug.wrappers import Request, Response

from support.oxigraph import oxigraph_server
from support.paths import TEST_DATA
from support.servers import serving
from twingraph.wikidata.client import WikidataClient, WikidataError, _retry_after, user_agent

FIXTURE = TEST_DATA / "wikidata-fixture.ttl"
QUERY = (
    "PREFIX wd: <http://www.wikidata.org/entity/> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "SELECT ?label WHERE { wd:Q5826 rdfs:label ?label }"
)

pytestmark = pytest.mark.server


@dataclass
class Throttle:
    """What the proxy answers: ``refuse`` times ``status`` (with ``retry_after``), then the real answer."""

    upstream: str
    refuse: int = 0
    status: int = 429
    retry_after: str | None = "1"
    seen: list[tuple[float, str]] = field(default_factory=list)

    def __call__(self, environ: dict[str, object], start_response: object) -> object:
        request = Request(environ)  # type: ignore[arg-type]
        self.seen.append((time.monotonic(), request.headers.get("User-Agent", "")))
        if len(self.seen) <= self.refuse:
            headers = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
            response = Response("slow down", status=self.status, headers=headers)
        else:
            upstream = httpx.request(
                request.method,
                self.upstream,
                params=list(request.args.items(multi=True)),
                content=request.get_data(),
                headers={k: v for k, v in request.headers.items() if k.lower() in ("accept", "content-type")},
                timeout=30,
            )
            response = Response(
                upstream.content,
                status=upstream.status_code,
                content_type=upstream.headers.get("content-type"),
            )
        return response(environ, start_response)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with oxigraph_server([FIXTURE], tmp_path_factory.mktemp("wikidata-client") / "store") as url:
        yield url


@pytest.fixture()
def proxy(upstream: str) -> Iterator[tuple[str, Throttle]]:
    throttle = Throttle(upstream)
    with serving(throttle) as base:
        yield f"{base}/sparql", throttle


AGENT = user_agent("https://w3id.org/twingraph/")


def test_user_agent_names_the_tool_and_how_to_reach_it() -> None:
    assert AGENT.startswith("twingraph/0.1.0 (https://w3id.org/twingraph/;") and "SPARQLWrapper/" in AGENT


def test_retries_after_429_waiting_as_told(proxy: tuple[str, Throttle]) -> None:
    url, throttle = proxy
    throttle.refuse = 2
    start = time.monotonic()
    rows = WikidataClient(url, AGENT, attempts=4, backoff=0.05).select(QUERY)
    assert rows == [{"label": "Xi'an"}]
    assert len(throttle.seen) == 3 and all(agent == AGENT for _t, agent in throttle.seen)
    gaps = [b[0] - a[0] for a, b in zip(throttle.seen, throttle.seen[1:], strict=False)]
    assert all(gap >= 0.95 for gap in gaps), gaps  # Retry-After: 1 was honoured both times
    assert time.monotonic() - start < 10


def test_backs_off_exponentially_without_retry_after(proxy: tuple[str, Throttle]) -> None:
    url, throttle = proxy
    throttle.refuse, throttle.status, throttle.retry_after = 2, 503, None
    assert WikidataClient(url, AGENT, attempts=3, backoff=0.2).select(QUERY) == [{"label": "Xi'an"}]
    first, second = (b[0] - a[0] for a, b in zip(throttle.seen, throttle.seen[1:], strict=False))
    assert 0.18 <= first < 1.5 and 0.38 <= second < 2.5 and second > first


def test_gives_up_with_a_clear_error(proxy: tuple[str, Throttle]) -> None:
    url, throttle = proxy
    throttle.refuse, throttle.retry_after = 100, "0"
    with pytest.raises(WikidataError, match="answered 429"):
        WikidataClient(url, AGENT, attempts=3, backoff=0.01).select(QUERY)
    assert len(throttle.seen) == 3


def test_a_refused_query_is_not_retried(proxy: tuple[str, Throttle]) -> None:
    url, throttle = proxy
    with pytest.raises(WikidataError, match="refused the query"):
        WikidataClient(url, AGENT, attempts=3, backoff=0.01).select("SELECT nonsense")
    assert len(throttle.seen) == 1


def test_retry_after_as_an_http_date() -> None:
    headers = Message()
    headers["Retry-After"] = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    error = urllib.error.HTTPError("http://127.0.0.1/", 429, "Too Many Requests", headers, None)
    wait = _retry_after(error)
    assert wait is not None and 25 <= wait <= 31
