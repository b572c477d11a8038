"""Cross-origin reading of everything the site publishes, in one table (flask-cors underneath).

The data is open and nothing here depends on who asks (no credentials, no per-user answers), so any
web page may read any answer with ``fetch``: a resource's RDF and its ``303`` from ``/id/``, query
answers, reconciliation, dumps, the JSON-LD context, the feed and the OpenAPI document. What differs
per route is which answer headers a script may read beyond the CORS-safelisted ones.

The lean paths (``sparql_lean.py``, ``doc_lean.py``) send the same headers: ``/sparql``'s are written
out there (its tests compare them with Flask's), and a kept ``/doc/`` answer is kept after this hook.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask_cors import CORS

from twingraph.web.sparql_answer import EXPOSED_HEADERS

# What a linked-data client reads of an answer: its links (signposting, Memento, the feed), the
# version it holds, its own URL and validator, and how long to wait when asked to.
LINKED_DATA_HEADERS = ["Content-Location", "ETag", "Link", "Memento-Datetime", "Retry-After"]

#: Path pattern -> flask-cors options; flask-cors tries the more specific pattern first.
RESOURCES: dict[str | re.Pattern[str], dict[str, Any]] = {
    r"/sparql.*": {"expose_headers": EXPOSED_HEADERS},
    r"/.*": {"expose_headers": LINKED_DATA_HEADERS},
}


def register(app: Flask) -> None:
    """CORS on every answer of ``app``, errors and preflights included; before any hook that keeps
    finished answers runs (register it after :func:`twingraph.web.render_cache.keep_finished`)."""
    CORS(app, resources=RESOURCES, origins="*", send_wildcard=True, max_age=86400)
