"""A polite client for one Wikidata SPARQL endpoint: SPARQLWrapper with a User-Agent and backoff.

Wikimedia asks every client for a descriptive User-Agent and to back off when told to: an
answer 429 (or 502/503/504) is retried after the ``Retry-After`` the server gives, else after an
exponentially growing pause, a few times, before the command gives up with a clear message.
The client only ever talks to the endpoint it was made for (``Settings.wikidata_endpoint``
unless the command line names another).
"""

from __future__ import annotations

import email.utils
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPMessage
from importlib.metadata import version
from string import Template
from typing import IO

from SPARQLWrapper import JSON, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from twingraph import __version__
from twingraph.queries import load_query

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 502, 503, 504})


class WikidataError(Exception):
    """The endpoint could not answer: unreachable, refused the query, or kept saying 'too many requests'."""


def user_agent(project_url: str) -> str:
    """A User-Agent in the form Wikimedia's policy asks for: tool/version (URL) library/version."""
    library = f"SPARQLWrapper/{version('sparqlwrapper')}"
    return f"twingraph/{__version__} ({project_url}; town twinning Linked Open Data) {library}"


def _retry_after(exc: BaseException | None) -> float | None:
    if not isinstance(exc, urllib.error.HTTPError) or exc.headers is None:
        return None
    raw = exc.headers.get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, urllib.error.HTTPError) and exc.code in RETRY_STATUSES


class OffEndpointRedirect(urllib.error.HTTPError):
    """The endpoint redirected the client to another scheme, host or port."""


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.hostname, parts.port


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only within the endpoint's own scheme, host and port (no SSRF by redirect:
    the security tests found that a redirect led the client to any address)."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        if _origin(newurl) != _origin(req.full_url):
            raise OffEndpointRedirect(req.full_url, code, f"redirected to {newurl}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


@contextmanager
def _only_this_endpoint() -> Iterator[None]:
    """While a query runs, urllib (SPARQLWrapper's transport) follows same-origin redirects only.

    SPARQLWrapper calls ``urllib.request.urlopen``, whose opener is process-wide: it is swapped for the
    duration of the call and put back after (the Wikidata tools are single-threaded CLI commands).
    """
    previous = getattr(urllib.request, "_opener", None)
    urllib.request.install_opener(urllib.request.build_opener(_SameOriginRedirects))
    try:
        yield
    finally:
        urllib.request.install_opener(previous)


@dataclass(frozen=True)
class WikidataClient:
    """SELECT queries against one SPARQL endpoint, with retries and backoff on 429/5xx."""

    endpoint: str
    agent: str
    attempts: int = 5
    backoff: float = 2.0
    max_wait: float = 120.0
    timeout: float = 120.0

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        told = _retry_after(exc)
        wait = told if told is not None else self.backoff * 2 ** (state.attempt_number - 1)
        wait = min(wait, self.max_wait)
        code = exc.code if isinstance(exc, urllib.error.HTTPError) else "?"
        log.warning(
            "%s answered %s; retrying in %.1f s (attempt %d of %d)",
            self.endpoint,
            code,
            wait,
            state.attempt_number + 1,
            self.attempts,
        )
        return wait

    def select(self, query: str) -> list[dict[str, str]]:
        """Run a SELECT query; each row maps variable names to lexical values (unbound ones absent)."""
        sparql = SPARQLWrapper(self.endpoint, agent=self.agent)
        sparql.setQuery(query)
        sparql.setReturnFormat(JSON)
        sparql.setTimeout(int(self.timeout))
        retrying = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception(_retryable),
            reraise=True,
        )
        try:
            with _only_this_endpoint():
                answer = retrying(lambda: sparql.queryAndConvert())
        except OffEndpointRedirect as exc:
            raise WikidataError(
                f"{self.endpoint} {exc.reason}: the client only talks to the endpoint it is given "
                "(name the new address with --endpoint if it is to be trusted)"
            ) from exc
        except urllib.error.HTTPError as exc:
            raise WikidataError(
                f"{self.endpoint} answered {exc.code} {exc.reason} "
                f"(after {self.attempts} attempts where retrying made sense)"
            ) from exc
        except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
            raise WikidataError(f"cannot reach {self.endpoint}: {exc}") from exc
        except SPARQLWrapperException as exc:
            raise WikidataError(f"{self.endpoint} refused the query: {exc}") from exc
        if not isinstance(answer, dict) or "results" not in answer:
            raise WikidataError(f"{self.endpoint} did not answer with SPARQL JSON results")
        return [{name: cell["value"] for name, cell in row.items()} for row in answer["results"]["bindings"]]

    def select_template(self, name: str, **values: str) -> list[dict[str, str]]:
        """Run ``queries/wikidata/<name>.rq`` with ``$placeholders`` replaced by already checked terms."""
        return self.select(Template(load_query(f"wikidata/{name}")).substitute(values))
