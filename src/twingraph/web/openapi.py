"""``/openapi.json``: the OpenAPI 3.1 description of the HTTP API, for clients and for the fuzzer.

The description is a file beside this module (``openapi.json``), written by hand and kept honest by
tests (every path it names is a route, every route of the API is in it) and by ``make fuzz``, which
sends schemathesis' generated requests to a running server. Only the server URL is filled in per
request, so that the description names the host it was fetched from.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from flask import Blueprint, Response, request

from twingraph import __version__

bp = Blueprint("openapi", __name__)


@cache
def description() -> dict[str, Any]:
    """The OpenAPI description as shipped (without a server URL)."""
    text = files("twingraph.web").joinpath("openapi.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI description, naming this server and this version of twingraph."""
    document = {**description()}
    document["info"] = {**document["info"], "version": __version__}
    document["servers"] = [{"url": request.host_url.rstrip("/"), "description": "this server"}]
    response = Response(json.dumps(document, indent=1) + "\n", mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
