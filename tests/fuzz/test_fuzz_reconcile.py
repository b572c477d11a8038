"""Hostile input to /reconcile (bounded property tests; `make fuzz` runs the long version).

Batches with odd values or no JSON at all, data extension requests, JSONP callbacks, suggest and
preview parameters, form bodies in odd encodings, bad Accept-Language headers. No 5xx, a message
with every 4xx, no stack trace or path, and a JSONP answer only for a valid callback name.
"""

from __future__ import annotations

import json
import re

from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.fuzz_inputs import (
    bounded,
    encodings,
    hostile_text,
    json_values,
    language_headers,
    reconcile_batches,
)
from support.hardening import check_answer, private_paths
from twingraph.config import Settings

FUZZ = bounded(120)
JS_IDENTIFIER = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$")


@FUZZ
@given(
    batch=reconcile_batches(),
    method=st.sampled_from(["GET", "POST"]),
    languages=language_headers,
    callback=st.one_of(
        st.none(), hostile_text, st.sampled_from(["cb", "jQuery123_456", "a.b.c", "alert(1)//"])
    ),
)
def test_reconciliation_batches(
    unlimited_client: FlaskClient,
    unlimited_settings: Settings,
    batch: str,
    method: str,
    languages: str,
    callback: str | None,
) -> None:
    # JSONP is a GET thing, but the callback is read from the query string whatever the method.
    jsonp = {"callback": callback} if callback is not None else {}
    params = {"queries": batch}
    headers = {"Accept-Language": languages}
    if method == "GET":
        response = unlimited_client.get("/reconcile", query_string=params | jsonp, headers=headers)
    else:
        response = unlimited_client.post("/reconcile", query_string=jsonp, data=params, headers=headers)
    check_answer(
        response.status_code,
        response.headers,
        response.data,
        f"{method} {params!r}",
        private=private_paths(unlimited_settings),
    )
    if response.status_code == 200 and callback is not None:
        assert JS_IDENTIFIER.match(callback) and len(callback) <= 128, callback
        assert response.mimetype == "application/javascript"
        assert response.data.startswith(f"/**/{callback}(".encode())
    if response.mimetype == "application/javascript":
        assert callback is not None and JS_IDENTIFIER.match(callback)


@FUZZ
@given(
    extend=st.one_of(
        hostile_text,
        json_values.map(json.dumps),
        st.fixed_dictionaries(
            {
                "ids": st.lists(
                    st.one_of(hostile_text, st.sampled_from(["city/amiens", "partnership/dortmund-amiens"])),
                    max_size=4,
                ),
                "properties": st.lists(
                    st.fixed_dictionaries({"id": hostile_text}, optional={"settings": json_values}),
                    max_size=3,
                ),
            }
        ).map(json.dumps),
    ),
)
def test_data_extension(unlimited_client: FlaskClient, unlimited_settings: Settings, extend: str) -> None:
    response = unlimited_client.post("/reconcile", data={"extend": extend})
    check_answer(
        response.status_code,
        response.headers,
        response.data,
        f"extend {extend!r}",
        "POST",
        private_paths(unlimited_settings),
    )


@FUZZ
@given(
    path=st.sampled_from(
        [
            "/reconcile/suggest/entity",
            "/reconcile/suggest/type",
            "/reconcile/suggest/property",
            "/reconcile/properties",
            "/reconcile/preview",
        ]
    ),
    prefix=st.one_of(st.none(), hostile_text),
    cursor=st.one_of(st.none(), hostile_text, st.integers().map(str)),
    limit=st.one_of(st.none(), hostile_text, st.integers().map(str), st.floats().map(str)),
    kind=st.one_of(st.none(), hostile_text),
    entity=st.one_of(
        st.none(), hostile_text, st.sampled_from(["city/amiens", "city/../city/amiens", "city/amiens/"])
    ),
    languages=language_headers,
)
def test_suggest_properties_and_preview(
    unlimited_client: FlaskClient,
    unlimited_settings: Settings,
    path: str,
    prefix: str | None,
    cursor: str | None,
    limit: str | None,
    kind: str | None,
    entity: str | None,
    languages: str,
) -> None:
    given_params = {"prefix": prefix, "cursor": cursor, "limit": limit, "type": kind, "id": entity}
    params = {k: v for k, v in given_params.items() if v is not None}
    response = unlimited_client.get(path, query_string=params, headers={"Accept-Language": languages})
    check_answer(
        response.status_code,
        response.headers,
        response.data,
        f"{path} {params!r}",
        private=private_paths(unlimited_settings),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), batch=reconcile_batches())
def test_form_bodies_in_odd_encodings(unlimited_client: FlaskClient, data: st.DataObject, batch: str) -> None:
    body = data.draw(encodings("queries=" + batch))
    content_type = data.draw(
        st.sampled_from(
            [
                "application/x-www-form-urlencoded",
                "application/x-www-form-urlencoded; charset=utf-16",
                "multipart/form-data",
                "multipart/form-data; boundary=--x",
                "application/json",
                "text/plain; charset=nope",
            ]
        )
    )
    response = unlimited_client.post("/reconcile", data=body, headers={"Content-Type": content_type})
    check_answer(
        response.status_code, response.headers, response.data, f"POST {content_type} {body[:80]!r}", "POST"
    )
