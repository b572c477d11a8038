"""Hostile paths and headers on the Linked Data pages, the dumps and the other pages (bounded).

Path tricks (``..``, encoded slashes, NUL, overlong and non-ASCII segments), bad Accept,
Accept-Language, If-None-Match, Range and Cookie headers, odd query parameters. No 5xx, a message
with every 4xx, no stack trace or path, and nothing outside a release is ever served.
"""

from __future__ import annotations

from urllib.parse import quote

from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from support.fuzz_inputs import (
    accept_headers,
    bounded,
    header_text,
    hostile_text,
    language_headers,
    path_segments,
)
from support.hardening import check_answer, private_paths
from twingraph.config import Settings

FUZZ = bounded(150)


PREFIXES = ["/id", "/doc", "/dumps", "/list", "/sparql/examples", "/static", "/reconcile", "/.well-known", ""]
SEGMENTS = st.one_of(
    path_segments, st.sampled_from(["city", "partnership", "person", "0.1.0", "latest", "concept"])
)


def _path(prefix: str, segments: list[str], encode: bool) -> str:
    parts = [quote(s, safe="%") if encode else s for s in segments]
    return prefix + "/" + "/".join(parts)


@FUZZ
@given(
    prefix=st.sampled_from(PREFIXES),
    segments=st.lists(SEGMENTS, min_size=1, max_size=4),
    encode=st.booleans(),
    accept=accept_headers,
    languages=language_headers,
    trailing=st.sampled_from(
        ["", "/", "?lang=de", "?lang=%00", "?incoming=-1", "?incoming=1e9", "?page=abc"]
    ),
)
def test_paths_and_headers(
    unlimited_client: FlaskClient,
    release_settings: Settings,
    prefix: str,
    segments: list[str],
    encode: bool,
    accept: str,
    languages: str,
    trailing: str,
) -> None:
    path = _path(prefix, segments, encode) + trailing
    response = unlimited_client.get(path, headers={"Accept": accept, "Accept-Language": languages})
    check_answer(
        response.status_code,
        response.headers,
        response.data,
        f"GET {path!r} {accept!r}",
        private=private_paths(release_settings),
    )
    if response.status_code == 200 and prefix == "/dumps" and len(segments) == 2:
        # Only files a release lists are ever served: never the checksummed folder's neighbours.
        assert segments[1] in {f.name for f in _release_files(release_settings)}


def _release_files(settings: Settings) -> list[object]:
    from twingraph.release import list_releases, read_release

    return [f for v in list_releases(settings.dist_dir) for f in read_release(settings.dist_dir / v).files]


@FUZZ
@given(
    path=st.sampled_from(
        [
            "/doc/city/amiens",
            "/doc/partnership/dortmund-amiens.ttl",
            "/dumps/",
            "/dumps/0.1.0/SHA256SUMS",
            "/dumps/0.1.0/twingraph.ttl",
            "/.well-known/void",
            "/sparql",
            "/",
            "/list/city",
            "/map",
        ]
    ),
    if_none_match=st.one_of(st.none(), header_text, st.just("*"), st.just('W/"x", "y"')),
    if_modified_since=st.one_of(st.none(), header_text, st.just("Thu, 01 Jan 1970 00:00:00 GMT")),
    byte_range=st.one_of(
        st.none(),
        header_text,
        st.sampled_from(
            [
                "bytes=0-10",
                "bytes=-1",
                "bytes=10-0",
                "bytes=0-0,5-1,1-",
                "bytes=99999999999-",
                "bytes=" + ",".join(["0-1"] * 300),
            ]
        ),
    ),
    cookie=st.one_of(st.none(), header_text.map(lambda v: "twingraph_lang=" + v)),
    accept=accept_headers,
)
def test_conditional_range_and_cookie_headers(
    unlimited_client: FlaskClient,
    release_settings: Settings,
    path: str,
    if_none_match: str | None,
    if_modified_since: str | None,
    byte_range: str | None,
    cookie: str | None,
    accept: str,
) -> None:
    given_headers = {
        "If-None-Match": if_none_match,
        "If-Modified-Since": if_modified_since,
        "Range": byte_range,
        "Cookie": cookie,
        "Accept": accept,
    }
    headers = {k: v for k, v in given_headers.items() if v is not None}
    response = unlimited_client.get(path, headers=headers)
    check_answer(
        response.status_code,
        response.headers,
        response.data,
        f"GET {path} {headers!r}",
        private=private_paths(release_settings),
    )


@FUZZ
@given(
    path=st.sampled_from(
        ["/search", "/list/city", "/list/partnership", "/reconcile/preview", "/sparql/examples/x", "/"]
    ),
    params=st.dictionaries(
        st.one_of(
            st.sampled_from(["q", "type", "sort", "order", "page", "lang", "id", "country", "kind"]),
            hostile_text,
        ),
        hostile_text,
        max_size=4,
    ),
    languages=language_headers,
)
def test_page_parameters(
    unlimited_client: FlaskClient, path: str, params: dict[str, str], languages: str
) -> None:
    response = unlimited_client.get(path, query_string=params, headers={"Accept-Language": languages})
    check_answer(response.status_code, response.headers, response.data, f"GET {path} {params!r}")
