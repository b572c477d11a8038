"""The SPARQL 1.1 Protocol's query operation: what a request asks, or why it is refused.

Queries come by GET (``query`` parameter), by POST of a form (``application/x-www-form-urlencoded``)
or by POST of the query itself (``application/sparql-query``, UTF-8). The dataset comes from
``default-graph-uri`` / ``named-graph-uri``. This endpoint is read-only, so the update operation is
refused here, before any store sees it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pyoxigraph as ox
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, Forbidden, RequestEntityTooLarge, UnsupportedMediaType
from werkzeug.wrappers import Request

from twingraph.store.base import Dataset

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = (
    "this endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, ...) is not accepted. "
    "The data is published as a release; query it with SELECT, ASK, CONSTRUCT or DESCRIBE."
)


@dataclass(frozen=True)
class ProtocolRequest:
    """A protocol request: the query (None when it asks for the service itself) and the dataset."""

    query: str | None
    dataset: Dataset = field(default_factory=Dataset)
    format_params: tuple[str, ...] = ()


def parse_request(request: Request, max_bytes: int) -> ProtocolRequest:
    """Read a GET or POST protocol request; raise a 4xx HTTP exception that says what is wrong."""
    if len(request.query_string) > max_bytes:
        raise RequestEntityTooLarge(f"the query string is longer than the limit of {max_bytes} bytes")
    if request.method in ("GET", "HEAD"):
        return _from_params(request.args)
    if request.content_length is not None and request.content_length > max_bytes:
        raise RequestEntityTooLarge(f"the request body is larger than the limit of {max_bytes} bytes")
    mimetype = request.mimetype
    if mimetype == FORM:
        params = MultiDict(request.args)
        for key, values in request.form.lists():
            for value in values:
                params.add(key, value)
        return _from_params(params)
    if mimetype == QUERY:
        return _direct(request)
    if mimetype == UPDATE:
        raise Forbidden(READ_ONLY)
    if not mimetype:
        raise UnsupportedMediaType(
            f"a POST needs a Content-Type: {FORM} (query=... in the body) or {QUERY} (the query as the body)"
        )
    raise UnsupportedMediaType(f"Content-Type {mimetype} is not a SPARQL request; use {FORM} or {QUERY}")


def parse_simple(
    method: str, query_string: str, content_type: str, body: bytes, max_bytes: int
) -> ProtocolRequest | None:
    """A GET, or a POST of a form, read from the WSGI environ's parts as :func:`parse_request` reads
    them (werkzeug's own parsing: ``parse_qsl`` with werkzeug's error handler), without building a
    werkzeug Request (a tenth of a light query's time in the web process); None for any other
    request, and for a body that is not UTF-8 (werkzeug reads no form from it): :func:`parse_request`
    then reads it. Raises the same 4xx as :func:`parse_request`."""
    if len(query_string.encode("latin-1")) > max_bytes:
        raise RequestEntityTooLarge(f"the query string is longer than the limit of {max_bytes} bytes")
    if method == "GET":
        return _from_params(MultiDict(_pairs(query_string.encode("latin-1"))))
    if method != "POST" or content_type != FORM:
        return None
    try:
        form = _pairs(body)
    except UnicodeDecodeError:
        return None
    return _from_params(MultiDict([*_pairs(query_string.encode("latin-1")), *form]))


def _pairs(data: bytes) -> list[tuple[str, str]]:
    return parse_qsl(data.decode(), keep_blank_values=True, errors="werkzeug.url_quote")


def _from_params(params: MultiDict[str, str]) -> ProtocolRequest:
    if "update" in params:
        raise Forbidden(READ_ONLY)
    queries = params.getlist("query")
    if len(queries) > 1:
        raise BadRequest("the request holds more than one query parameter; send exactly one")
    query = queries[0] if queries else None
    return ProtocolRequest(query, _dataset(params), _format_params(params))


def _direct(request: Request) -> ProtocolRequest:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"the query must be encoded in UTF-8, not {charset}")
    try:
        text = request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"the query is not valid UTF-8 (byte {exc.start})") from exc
    if "query" in request.args or "update" in request.args:
        raise BadRequest("a direct POST carries the query in its body, not also in a query parameter")
    return ProtocolRequest(text, _dataset(request.args), _format_params(request.args))


def _dataset(params: MultiDict[str, str]) -> Dataset:
    return Dataset(
        default_graphs=_graph_iris(params, "default-graph-uri"),
        named_graphs=_graph_iris(params, "named-graph-uri"),
    )


def _graph_iris(params: MultiDict[str, str], name: str) -> tuple[str, ...]:
    """The distinct graph IRIs of parameter ``name``; 400 for one that is not an absolute IRI (found by
    fuzzing: the query worker failed on it, which answered 500)."""
    # An empty value names no graph (roqet sends ``default-graph-uri=`` with every CONSTRUCT).
    iris = tuple(dict.fromkeys(value for value in params.getlist(name) if value.strip()))
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise BadRequest(f"{name} must be an absolute IRI, not {iri[:200]!r}: {exc}") from None
    return iris


def _format_params(params: MultiDict[str, str]) -> tuple[str, ...]:
    return (*params.getlist("format"), *params.getlist("output"))
