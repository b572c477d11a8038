"""``/health``: can this instance answer? For load balancers, orchestrators and monitors.

200 with the release version when the store answers a trivial query; 503 with ``Retry-After`` when
it does not (the remote endpoint is down, every query worker is stuck), so that a balancer takes
the instance out of rotation and puts it back by itself once the store answers again.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app

from twingraph import __version__
from twingraph.store.base import StoreError
from twingraph.web.errors import RETRY_AFTER_SECONDS
from twingraph.web.state import get_store

bp = Blueprint("health", __name__)
PROBE = "ASK {}"


@bp.get("/health")
def health() -> Response:
    """The release served and whether the store answers; 503 and Retry-After while it does not."""
    store = get_store()
    started = time.monotonic()
    body: dict[str, object] = {
        "status": "ok",
        "service": f"twingraph {__version__}",
        "release": store.version,
        "store": "reachable",
    }
    status = 200
    try:
        store.ask(PROBE)
    except StoreError as exc:
        current_app.logger.warning("health check: the store does not answer: %s", exc)
        body.update(status="unavailable", store="unreachable", message=str(exc))
        status = 503
    body["checked_ms"] = round((time.monotonic() - started) * 1000, 1)
    response = Response(Response.json_module.dumps(body) + "\n", status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
